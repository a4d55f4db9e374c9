import type { ObjectOfKind } from '@citylink/protocol';
import { hasAcknowledged } from '../rules.js';
import type { KindPlugin } from './kind-plugin.js';

/** An acknowledgement: one per city and report. */
export const acknowledgementPlugin: KindPlugin<ObjectOfKind<'acknowledgement'>> = {
  async authorize(o, { answers }) {
    if (hasAcknowledged(o.origin, await answers(o.body.target))) {
      return ['duplicate_acknowledgement', `${o.origin} has already acknowledged ${o.body.target}`];
    }
    return undefined;
  },
};
