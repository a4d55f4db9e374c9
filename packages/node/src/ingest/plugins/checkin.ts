import type { ObjectOfKind } from '@citylink/protocol';
import type { KindPlugin } from './kind-plugin.js';

/**
 * A check-in: posted by a city (never the hub), answering an operational period
 * the hub announced. A check-in for a period nobody here announced is refused.
 */
export const checkInPlugin: KindPlugin<ObjectOfKind<'checkin'>> = {
  async authorize(o, { held, byHub }) {
    if (byHub) return ['not_authorized', 'the hub does not check in; cities do'];
    const p = await held(o.body.period);
    if (!p) return ['unknown_target', `no operational period ${o.body.period} is held here`];
    if (p.kind !== 'operational-period') return ['unknown_target', `${o.body.period} is not an operational period`];
    return undefined;
  },
};
