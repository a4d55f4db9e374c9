import { Migration } from '@mikro-orm/migrations';

export class Migration20261125130922 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "enrollments" ("id" varchar(43) not null, "node" varchar(63) not null, "name" varchar(200) not null, "base_url" varchar(500) not null, "kid" varchar(64) not null, "contact" varchar(320) not null, "jws" text not null, "status" varchar(16) not null, "reason" text null, "received_at" timestamptz not null, "decided_at" timestamptz null, "decided_by" varchar(200) null, constraint "enrollments_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "enrollments_node_index" on "enrollments" ("node");`);
    this.addSql(`create index "enrollments_status_index" on "enrollments" ("status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "enrollments" cascade;`);
  }
}
