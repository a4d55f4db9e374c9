import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid: one row per city. */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "city_scorecards" ("city" varchar(63) not null, "statuses" varchar(16) not null, "detail" text not null, "computed_at" timestamptz not null, constraint "city_scorecards_pkey" primary key ("city"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "city_scorecards" cascade;`);
  }
}
