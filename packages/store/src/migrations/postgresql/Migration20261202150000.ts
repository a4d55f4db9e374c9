import { Migration } from '@mikro-orm/migrations';

/** Election Day: escalations (each once), the notification centre, its delivery queue, preferences. */
export class Migration20261202150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "escalations" ("key" varchar(200) not null, "kind" varchar(16) not null, "subject" varchar(63) not null, "period" varchar(43) not null, "at" timestamptz not null, constraint "escalations_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "escalations_period_index" on "escalations" ("period");`);

    this.addSql(
      `create table "notifications" ("id" serial primary key, "username" varchar(200) not null, "kind" varchar(40) not null, "subject" varchar(200) null, "text" text not null, "emergency" boolean not null default false, "created_at" timestamptz not null, "read_at" timestamptz null);`,
    );
    this.addSql(`create index "notifications_username_read_at_index" on "notifications" ("username", "read_at");`);

    this.addSql(
      `create table "notification_deliveries" ("id" serial primary key, "channel" varchar(16) not null, "target" varchar(2048) not null, "payload" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "done_at" timestamptz null, "last_error" text null);`,
    );
    this.addSql(
      `create index "notification_deliveries_done_at_next_attempt_at_index" on "notification_deliveries" ("done_at", "next_attempt_at");`,
    );

    this.addSql(
      `create table "notification_prefs" ("username" varchar(200) not null, "prefs" text not null, constraint "notification_prefs_pkey" primary key ("username"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "escalations" cascade;`);

    this.addSql(`drop table if exists "notifications" cascade;`);

    this.addSql(`drop table if exists "notification_deliveries" cascade;`);

    this.addSql(`drop table if exists "notification_prefs" cascade;`);
  }
}
