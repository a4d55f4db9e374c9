import type { ObjectOfKind } from '@citylink/protocol';
import { maySupersede } from '../rules.js';
import type { KindPlugin } from './kind-plugin.js';

/** A bulletin or a note: a new version supersedes only its author's earlier one. */
export const versionedPlugin: KindPlugin<ObjectOfKind<'bulletin'> | ObjectOfKind<'note'>> = {
  async authorize(o, { held }) {
    const supersedes = o.body.supersedes;
    if (!supersedes) return undefined;
    const t = await held(supersedes);
    if (t && !maySupersede(o, t)) return ['not_authorized', `only ${t.origin} may supersede ${supersedes}`];
    return undefined;
  },
};
