import type { ObjectKind, SignedObject } from '@citylink/protocol';
import { bulletinStatusPlugin } from './bulletin-status.js';
import type { KindPlugin } from './kind-plugin.js';
import { contingencyPlanPlugin } from './preparedness.js';
import { retractionPlugin } from './retraction.js';
import { versionedPlugin } from './versioned.js';

/** The kinds with authoring rules of their own (statement kinds are checked by Statements). */
const PLUGINS: Partial<Record<ObjectKind, KindPlugin<never>>> = {
  bulletin: versionedPlugin,
  note: versionedPlugin,
  retraction: retractionPlugin,
  'bulletin-status': bulletinStatusPlugin,
  'contingency-plan': contingencyPlanPlugin,
};

export function pluginFor(o: SignedObject): KindPlugin | undefined {
  return PLUGINS[o.kind] as KindPlugin | undefined;
}
