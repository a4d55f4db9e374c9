import type { ObjectOfKind } from '@citylink/protocol';
import type { KindPlugin } from './kind-plugin.js';

/** A shift-log entry stays at the hub: addressed to its author alone, about a period it announced. */
export const shiftNotePlugin: KindPlugin<ObjectOfKind<'shift-note'>> = {
  async authorize(o, { held }) {
    if (o.audience.length !== 1 || o.audience[0] !== o.origin) {
      return ['not_addressed', 'a shift note is addressed to the hub alone'];
    }
    const p = await held(o.body.period);
    if (p?.kind !== 'operational-period' || p.origin !== o.origin) {
      return ['unknown_target', `${o.body.period} is not an operational period of ${o.origin}`];
    }
    return undefined;
  },
};
