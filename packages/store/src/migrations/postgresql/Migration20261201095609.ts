import { Migration } from '@mikro-orm/migrations';

export class Migration20261201095609 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "statement_summaries" ("statement_id" varchar(43) not null, "origin" varchar(63) not null, "tlp" varchar(16) not null, "audience" jsonb not null, "recipients" jsonb null, "summary" text not null, "roster_version" int not null, "updated_at" timestamptz not null, constraint "statement_summaries_pkey" primary key ("statement_id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "statement_summaries" cascade;`);
  }
}
