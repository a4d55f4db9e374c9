import type { Tlp } from '@citylink/protocol';
import type { MarkingDefinition } from './types.js';

/** The TLP 2.0 extension of STIX 2.1 (FIRST / OASIS cti-stix-common-objects). */
export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The five TLP 2.0 marking definitions, exactly as published (same ids, same `created`). */
export const TLP2_MARKING_IDS: Record<Tlp, string> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** TLP 1.0 marking definitions of the STIX 2.1 specification (MISP still exports these). */
export const TLP1_MARKING_IDS: Record<'WHITE' | 'GREEN' | 'AMBER' | 'RED', string> = {
  WHITE: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  GREEN: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  AMBER: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  RED: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

export function tlpMarking(tlp: Tlp): MarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[tlp],
    created: TLP2_CREATED,
    name: `TLP:${tlp}`,
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
  };
}

const BY_ID = new Map<string, Tlp>([
  ...Object.entries(TLP2_MARKING_IDS).map(([tlp, id]) => [id, tlp as Tlp] as const),
  [TLP1_MARKING_IDS.WHITE, 'CLEAR'],
  [TLP1_MARKING_IDS.GREEN, 'GREEN'],
  [TLP1_MARKING_IDS.AMBER, 'AMBER'],
  [TLP1_MARKING_IDS.RED, 'RED'],
]);

const BY_NAME: Record<string, Tlp> = {
  white: 'CLEAR',
  clear: 'CLEAR',
  green: 'GREEN',
  amber: 'AMBER',
  'amber+strict': 'AMBER+STRICT',
  red: 'RED',
};

/**
 * The TLP a marking definition stands for: by the well-known ids of TLP 2.0 and 1.0,
 * or by content (a TLP 2.0 extension, or a 1.0-style `definition_type: tlp`), which
 * is how other producers' own marking objects are recognised. Unknown: undefined.
 */
export function tlpOfMarking(id: string, definition?: Record<string, unknown>): Tlp | undefined {
  const known = BY_ID.get(id);
  if (known || !definition) return known;
  const ext = (definition.extensions as Record<string, { tlp_2_0?: unknown }> | undefined)?.[TLP2_EXTENSION];
  if (typeof ext?.tlp_2_0 === 'string') return BY_NAME[ext.tlp_2_0.toLowerCase()];
  if (String(definition.definition_type).toLowerCase() === 'tlp') {
    const d = definition.definition as { tlp?: unknown; TLP?: unknown } | undefined;
    const tlp = byName(d?.tlp ?? d?.TLP);
    if (tlp) return tlp;
  }
  // Producers' own TLP objects (OpenCTI's TLP:AMBER+STRICT is a `statement` named so): by name.
  return byName(definition.name);
}

/** `amber`, `TLP:AMBER`, `tlp: amber+strict` → the label; anything else undefined. */
function byName(value: unknown): Tlp | undefined {
  if (typeof value !== 'string') return undefined;
  return BY_NAME[
    value
      .trim()
      .toLowerCase()
      .replace(/^tlp:\s*/, '')
  ];
}
