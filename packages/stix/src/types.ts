/**
 * The STIX 2.1 shapes CityLink emits and reads. Only what the mapping uses is typed;
 * every object may carry more (a reader must ignore what it does not know).
 */
export interface StixCommon {
  type: string;
  spec_version: '2.1';
  id: string;
  /** Absent on Cyber-observables (SCOs). */
  created?: string;
  modified?: string;
  created_by_ref?: string;
  revoked?: boolean;
  labels?: string[];
  object_marking_refs?: string[];
  external_references?: { source_name: string; external_id?: string; url?: string; description?: string }[];
  extensions?: Record<string, Record<string, unknown>>;
  [property: string]: unknown;
}

export interface MarkingDefinition {
  type: 'marking-definition';
  spec_version: '2.1';
  id: string;
  created: string;
  name: string;
  extensions: Record<string, Record<string, unknown>>;
}

/** An SDO, SRO or SCO; marking definitions are typed apart (they have no `modified`). */
export type StixObject = StixCommon;

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: (StixObject | MarkingDefinition)[];
}
