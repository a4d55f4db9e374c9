import { Migration } from '@mikro-orm/migrations';

export class Migration20261125124332 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" serial primary key, "at" timestamptz not null, "actor" varchar(200) not null, "action" varchar(64) not null, "subject" varchar(200) null, "detail" jsonb null);`,
    );
    this.addSql(`create index "audit_events_at_index" on "audit_events" ("at");`);
    this.addSql(`create index "audit_events_action_index" on "audit_events" ("action");`);

    this.addSql(
      `create table "items" ("id" varchar(43) not null, "kind" varchar(40) not null, "origin" varchar(63) not null, "created" timestamptz not null, "tlp" varchar(16) not null, "title" varchar(300) not null, "category" varchar(64) null, "severity" varchar(32) null, "topic" varchar(64) null, "status" varchar(32) null, "retracted" boolean not null default false, "superseded_by" varchar(43) null, "search_text" text not null, "updated_at" timestamptz not null, constraint "items_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "items_kind_created_index" on "items" ("kind", "created");`);
    this.addSql(`create index "items_status_index" on "items" ("status");`);
    this.addSql(`create index "items_origin_index" on "items" ("origin");`);

    this.addSql(
      `create table "log" ("seq" int not null, "object_id" varchar(43) not null, "appended_at" timestamptz not null, constraint "log_pkey" primary key ("seq"));`,
    );
    this.addSql(`alter table "log" add constraint "log_object_id_unique" unique ("object_id");`);

    this.addSql(
      `create table "members" ("node" varchar(63) not null, "name" varchar(200) not null, "base_url" varchar(500) not null, "role" varchar(8) not null, "status" varchar(16) not null, "keys" jsonb not null, "roster_version" int not null, "updated_at" timestamptz not null, constraint "members_pkey" primary key ("node"));`,
    );

    this.addSql(
      `create table "node_meta" ("key" varchar(64) not null, "value" text not null, constraint "node_meta_pkey" primary key ("key"));`,
    );

    this.addSql(
      `create table "outbox" ("id" serial primary key, "object_id" varchar(43) not null, "recipient" varchar(63) not null, "created_at" timestamptz not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "outcome" varchar(16) not null default 'pending', "reason" text null, "delivered_at" timestamptz null);`,
    );
    this.addSql(
      `create index "outbox_outcome_recipient_next_attempt_at_index" on "outbox" ("outcome", "recipient", "next_attempt_at");`,
    );
    this.addSql(
      `alter table "outbox" add constraint "outbox_object_id_recipient_unique" unique ("object_id", "recipient");`,
    );

    this.addSql(
      `create table "peers" ("node" varchar(63) not null, "cursor_epoch" varchar(64) null, "cursor_seq" int not null default 0, "last_pull_at" timestamptz null, "last_push_ok_at" timestamptz null, "last_inbound_at" timestamptz null, "last_error_at" timestamptz null, "last_error" text null, "consecutive_failures" int not null default 0, constraint "peers_pkey" primary key ("node"));`,
    );

    this.addSql(
      `create table "sessions" ("id" varchar(64) not null, "user_id" int not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "last_seen_at" timestamptz not null, constraint "sessions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(
      `create table "objects" ("id" varchar(43) not null, "kind" varchar(40) not null, "origin" varchar(63) not null, "kid" varchar(64) not null, "created" timestamptz not null, "received_at" timestamptz not null, "received_from" varchar(63) not null, "tlp" varchar(16) not null, "audience" jsonb not null, "recipients" jsonb null, "target" varchar(43) null, "jws" text not null, constraint "objects_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "objects_kind_created_index" on "objects" ("kind", "created");`);
    this.addSql(`create index "objects_origin_index" on "objects" ("origin");`);
    this.addSql(`create index "objects_target_index" on "objects" ("target");`);

    this.addSql(
      `create table "users" ("id" serial primary key, "username" varchar(100) not null, "display_name" varchar(200) not null, "password_hash" varchar(200) not null, "roles" jsonb not null, "disabled" boolean not null default false, "created_at" timestamptz not null);`,
    );
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "items" cascade;`);

    this.addSql(`drop table if exists "log" cascade;`);

    this.addSql(`drop table if exists "members" cascade;`);

    this.addSql(`drop table if exists "node_meta" cascade;`);

    this.addSql(`drop table if exists "outbox" cascade;`);

    this.addSql(`drop table if exists "peers" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "objects" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);
  }
}
