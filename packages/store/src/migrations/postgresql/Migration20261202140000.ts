import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid: one row per city and recommendation. */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "scorecard_cells" ("city" varchar(63) not null, "recommendation" int not null, "key" varchar(40) not null, "status" varchar(16) not null, "reason" text not null, "next" text not null, "computed_at" timestamptz not null, constraint "scorecard_cells_pkey" primary key ("city", "recommendation"));`,
    );
    this.addSql(
      `create index "scorecard_cells_recommendation_status_index" on "scorecard_cells" ("recommendation", "status");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "scorecard_cells" cascade;`);
  }
}
