import { Migration } from '@mikro-orm/migrations';

export class Migration20261202130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_tokens" ("id" varchar(64) not null, "name" varchar(100) not null, "role" varchar(32) not null, "created_at" timestamptz not null, "created_by" varchar(200) not null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_name_unique" unique ("name");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_tokens" cascade;`);
  }
}
