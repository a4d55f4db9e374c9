import { Migration } from '@mikro-orm/migrations';

/**
 * Which CityLink objects emit each STIX id (its UUID part), so TAXII's
 * `/objects/{id}/` reads a few rows instead of the whole collection. Filled from the
 * log by the node's TAXII index (packages/node/src/taxii/stix-index.ts).
 */
export class Migration20261203140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `stix_refs` (`uuid` text not null, `object_id` text not null, primary key (`uuid`, `object_id`));',
    );
  }
}
