import { Migration } from '@mikro-orm/migrations';

/** Request tokens used at any of several hub processes (src/token-replay.ts); kept in step with PostgreSQL, unused by a city. */
export class Migration20261203110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `token_replays` (`issuer` text not null, `jti` text not null, `expires_at` datetime not null, primary key (`issuer`, `jti`));',
    );
    this.addSql('create index `token_replays_expires_at_index` on `token_replays` (`expires_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table `token_replays`;');
  }
}
