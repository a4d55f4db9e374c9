import { Migration } from '@mikro-orm/migrations';

/** The hub grid's trend: one row per UTC day with the counts per recommendation and status. */
export class Migration20261203100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "grid_snapshots" ("day" varchar(10) not null, "cities" int not null, "counts" text not null, "taken_at" timestamptz not null, constraint "grid_snapshots_pkey" primary key ("day"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "grid_snapshots" cascade;`);
  }
}
