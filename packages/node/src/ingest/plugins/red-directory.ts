import { EVERYONE, type ObjectOfKind } from '@citylink/protocol';
import type { KindPlugin } from './kind-plugin.js';

/** A node's RED directory is for every member, so that anyone may name its people: GREEN to `*`, nothing else. */
export const redDirectoryPlugin: KindPlugin<ObjectOfKind<'red-directory'>> = {
  async authorize(o) {
    if (o.tlp !== 'GREEN' || o.audience.length !== 1 || o.audience[0] !== EVERYONE) {
      return ['not_authorized', 'a red-directory is published TLP:GREEN to the whole network ("*")'];
    }
    return undefined;
  },
};
