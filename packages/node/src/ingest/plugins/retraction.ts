import type { ObjectOfKind } from '@citylink/protocol';
import { mayRetract } from '../rules.js';
import type { KindPlugin } from './kind-plugin.js';

/** A retraction: only the author of what it retracts. */
export const retractionPlugin: KindPlugin<ObjectOfKind<'retraction'>> = {
  async authorize(o, { held }) {
    const t = await held(o.body.target);
    if (t && !mayRetract(o, t)) return ['not_authorized', `only ${t.origin} may retract ${o.body.target}`];
    return undefined;
  },
};
