import type { Member } from '@citylink/protocol';
import { stamp } from './export.js';
import { identityId } from './ids.js';
import type { StixObject } from './types.js';

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

/** A roster member as a node identity: it joined when its first key became valid. */
export function memberIdentity(m: Pick<Member, 'node' | 'name' | 'role' | 'keys'>): NodeIdentity {
  const since = m.keys.map((k) => k.validFrom).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return { node: m.node, name: m.name, role: m.role, since };
}
