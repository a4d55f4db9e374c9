import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { router } from '../trpc/init.js';
import { adminRouter } from './admin.js';
import { federationRouter } from './federation.js';
import { hubRouter } from './hub.js';
import { notificationsRouter } from './notifications.js';
import { operationsRouter } from './operations.js';
import { preparednessRouter } from './preparedness.js';
import { publicRouter } from './public.js';
import { staffRouter } from './staff.js';
import { statementsRouter } from './statements.js';

export const appRouter = router({
  staff: staffRouter,
  federation: federationRouter,
  hub: hubRouter,
  admin: adminRouter,
  statements: statementsRouter,
  public: publicRouter,
  operations: operationsRouter,
  notifications: notificationsRouter,
  preparedness: preparednessRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
