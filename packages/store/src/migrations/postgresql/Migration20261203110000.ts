import { Migration } from '@mikro-orm/migrations';

/** Request tokens used at any of several hub processes (src/token-replay.ts): a replay at another process is refused. */
export class Migration20261203110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table "token_replays" ("issuer" varchar(64) not null, "jti" varchar(64) not null, "expires_at" timestamptz not null, constraint "token_replays_pkey" primary key ("issuer", "jti"));',
    );
    this.addSql('create index "token_replays_expires_at_index" on "token_replays" ("expires_at");');
  }

  override async down(): Promise<void> {
    this.addSql('drop table "token_replays";');
  }
}
