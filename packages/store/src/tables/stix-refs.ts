import { EntitySchema } from '@mikro-orm/core';
import type { Db } from '../db.js';

/** One STIX id's UUID part and a CityLink object whose STIX form carries that id. */
export interface StixRef {
  uuid: string;
  objectId: string;
}

/** The TAXII index: a STIX id's UUID and a CityLink object whose STIX form carries it . */
export class StixRefRow {
  uuid!: string;
  objectId!: string;
}
export const StixRefSchema = new EntitySchema<StixRefRow>({
  class: StixRefRow,
  tableName: 'stix_refs',
  properties: {
    uuid: { type: 'string', length: 36, primary: true },
    objectId: { type: 'string', length: 43, primary: true },
  },
});

/** Objects one STIX id is looked up in at most (an observable shared by very many reports). */
const MAX_OBJECTS_PER_ID = 10_000;
const CHUNK = 400;

/** The TAXII index: which CityLink objects emit each STIX id (packages/node/src/taxii/stix-index.ts). */
export class StixRefsReader {
  constructor(protected readonly db: Db) {}

  async objectsOf(uuid: string): Promise<string[]> {
    const rows: { object_id: string }[] = await this.db
      .knex('stix_refs')
      .select('object_id')
      .where('uuid', uuid)
      .limit(MAX_OBJECTS_PER_ID);
    return rows.map((r) => r.object_id);
  }
}

export class StixRefsTransactor extends StixRefsReader {
  /** Adds the pairs not yet held (several processes may index the same rows). */
  async add(refs: readonly StixRef[]): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < refs.length; n += CHUNK) {
      await this.db
        .knex('stix_refs')
        .insert(refs.slice(n, n + CHUNK).map((r) => ({ uuid: r.uuid, object_id: r.objectId })))
        .onConflict(['uuid', 'object_id'])
        .ignore();
    }
  }
}
