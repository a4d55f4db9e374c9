import type { ObjectKind, SignedObject } from '@citylink/protocol';
import { acknowledgementPlugin } from './acknowledgement.js';
import { bulletinStatusPlugin } from './bulletin-status.js';
import { checkInPlugin } from './checkin.js';
import type { KindPlugin } from './kind-plugin.js';
import { contingencyPlanPlugin } from './preparedness.js';
import { redDirectoryPlugin } from './red-directory.js';
import { retractionPlugin } from './retraction.js';
import { shiftNotePlugin } from './shift-note.js';
import { versionedPlugin } from './versioned.js';

/** The kinds with rules of their own (statement kinds are checked by Statements). */
const PLUGINS: Partial<Record<ObjectKind, KindPlugin<never>>> = {
  bulletin: versionedPlugin,
  note: versionedPlugin,
  retraction: retractionPlugin,
  'bulletin-status': bulletinStatusPlugin,
  acknowledgement: acknowledgementPlugin,
  'red-directory': redDirectoryPlugin,
  checkin: checkInPlugin,
  'shift-note': shiftNotePlugin,
  'contingency-plan': contingencyPlanPlugin,
};

export function pluginFor(o: SignedObject): KindPlugin | undefined {
  return PLUGINS[o.kind] as KindPlugin | undefined;
}
