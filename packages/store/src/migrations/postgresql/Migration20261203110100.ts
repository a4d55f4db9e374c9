import { Migration } from '@mikro-orm/migrations';

/** Sign-in attempt counters shared by several hub processes (src/login-throttle.ts). */
export class Migration20261203110100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table "login_throttles" ("key" varchar(255) not null, "points" int not null, "expires_at" timestamptz not null, constraint "login_throttles_pkey" primary key ("key"));',
    );
    this.addSql('create index "login_throttles_expires_at_index" on "login_throttles" ("expires_at");');
  }

  override async down(): Promise<void> {
    this.addSql('drop table "login_throttles";');
  }
}
