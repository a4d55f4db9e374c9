import { type CityLinkEntry, type ExportContext, type Skipped, toStixObjects } from './export.js';
import { citylinkExtensionDefinition, citylinkProjectIdentity } from './extension.js';
import { identityObject, type NodeIdentity } from './identities.js';
import { stixId } from './ids.js';
import { tlpMarking, tlpOfMarking } from './markings.js';
import type { MarkingDefinition, StixBundle, StixObject } from './types.js';

export interface BundleContext extends ExportContext {
  /** The roster's record of a node, for its identity; unknown nodes are named by their id. */
  node(id: string): NodeIdentity | undefined;
}

const SINCE_UNKNOWN = '2026-01-01T00:00:00.000Z';

/**
 * A STIX bundle of CityLink objects: what each becomes, plus the identities it
 * references, the TLP marking definitions it uses and CityLink's extension
 * definition. Objects appear once per (id, modified); the bundle id depends only on
 * its content, so the same objects give the same bundle.
 */
export function toStixBundle(entries: CityLinkEntry[], ctx: BundleContext): { bundle: StixBundle; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const objects = new Map<string, StixObject | MarkingDefinition>();
  const nodes = new Set<string>();
  const add = (o: StixObject | MarkingDefinition) => {
    objects.set(`${o.id}|${'modified' in o ? o.modified : ''}`, o);
  };
  for (const entry of entries) {
    const out = toStixObjects(entry, ctx);
    if (!Array.isArray(out)) {
      skipped.push(out);
      continue;
    }
    // Objects name their author, and a status or retraction version names the bulletin's author.
    nodes.add(entry.object.origin);
    const target = (entry.object.body as { target?: string }).target;
    const targetOrigin = target ? ctx.lookup(target)?.object.origin : undefined;
    if (targetOrigin) nodes.add(targetOrigin);
    for (const o of out) {
      for (const m of o.object_marking_refs ?? []) {
        const tlp = tlpOfMarking(m);
        if (tlp) add(tlpMarking(tlp));
      }
      add(o);
    }
  }
  if (objects.size > 0) {
    for (const node of nodes) {
      add(identityObject(ctx.node(node) ?? { node, name: node, role: 'city', since: SINCE_UNKNOWN }));
    }
    add(citylinkProjectIdentity());
    add(citylinkExtensionDefinition());
  }
  const list = [...objects.values()];
  const id = stixId('bundle', list.map((o) => `${o.id}|${'modified' in o ? o.modified : ''}`).join('\n'));
  return { bundle: { type: 'bundle', id, objects: list }, skipped };
}
