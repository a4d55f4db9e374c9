import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import { RateLimitedError } from '../errors.js';
import type { Context } from './context.js';

export const t = initTRPC.context<Context>().create({
  // Error answers never carry a stack (below), so tRPC need not render one: that costs
  // more than anything else in refusing a call, and floods are mostly refused calls.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        issues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path, message: i.message })) : undefined,
        retryAfterMs: cause instanceof RateLimitedError ? cause.retryAfterMs : undefined,
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
