import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid (one row per city) and a city's personal training records (never federated). */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "city_scorecards" ("city" varchar(63) not null, "statuses" varchar(16) not null, "detail" text not null, "computed_at" timestamptz not null, constraint "city_scorecards_pkey" primary key ("city"));`,
    );
    this.addSql(
      `create table "training_records" ("id" serial primary key, "person" varchar(200) not null, "course" varchar(200) not null, "completed" varchar(10) not null, "has_access" boolean not null, "recorded_by" varchar(200) not null, "recorded_at" timestamptz not null);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "city_scorecards" cascade;`);
    this.addSql(`drop table if exists "training_records" cascade;`);
  }
}
