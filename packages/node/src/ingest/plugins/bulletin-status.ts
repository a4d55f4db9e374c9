import type { ObjectOfKind } from '@citylink/protocol';
import { maySetStatus } from '../rules.js';
import type { KindPlugin } from './kind-plugin.js';

/** A bulletin's status: its author city or the hub; the hub may set one on a bulletin not held yet. */
export const bulletinStatusPlugin: KindPlugin<ObjectOfKind<'bulletin-status'>> = {
  async authorize(o, { held, byHub }) {
    const t = await held(o.body.target);
    if (!t) return byHub ? undefined : ['unknown_target', `bulletin ${o.body.target} is not held here`];
    if (t.kind !== 'bulletin') return ['not_authorized', 'status updates apply to bulletins only'];
    if (!maySetStatus({ origin: o.origin, byHub }, t)) {
      return ['not_authorized', `only ${t.origin} or the hub may set its status`];
    }
    return undefined;
  },
};
