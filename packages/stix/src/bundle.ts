import { type CityLinkEntry, type ExportContext, type Skipped, stamp, toStixObjects } from './export.js';
import { citylinkExtensionDefinition, citylinkProjectIdentity } from './extension.js';
import { identityId, stixId } from './ids.js';
import { tlpMarking, tlpOfMarking } from './markings.js';
import type { MarkingDefinition, StixBundle, StixObject } from './types.js';

/** A member of the network as a STIX identity: who `created_by_ref` and `where_sighted_refs` point at. */
export interface NodeIdentity {
  node: string;
  name: string;
  role: 'city' | 'hub';
  /** When the node joined (its first key's validFrom): the identity's `created`. */
  since: string;
}

export function identityObject(n: NodeIdentity): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: identityId(n.node),
    created: stamp(n.since),
    modified: stamp(n.since),
    name: n.name,
    identity_class: 'organization',
    sectors: ['government-local'],
    description: n.role === 'hub' ? 'State election office (CityLink hub)' : 'City election office (CityLink node)',
    external_references: [{ source_name: 'citylink', external_id: n.node }],
  };
}

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
