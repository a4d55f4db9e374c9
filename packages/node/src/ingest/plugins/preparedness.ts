import type { ObjectOfKind } from '@citylink/protocol';
import { maySupersede } from '../rules.js';
import type { KindPlugin } from './kind-plugin.js';

/** A contingency plan: a new review supersedes only the same city's earlier plan, of the same kind. */
export const contingencyPlanPlugin: KindPlugin<ObjectOfKind<'contingency-plan'>> = {
  async authorize(o, { held }) {
    const supersedes = o.body.supersedes;
    if (!supersedes) return undefined;
    const t = await held(supersedes);
    if (!t) return undefined;
    if (t.kind !== 'contingency-plan') return ['not_authorized', 'a plan supersedes a plan only'];
    if (!maySupersede(o, t)) return ['not_authorized', `only ${t.origin} may supersede ${supersedes}`];
    return undefined;
  },
};
