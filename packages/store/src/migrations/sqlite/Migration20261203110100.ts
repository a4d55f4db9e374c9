import { Migration } from '@mikro-orm/migrations';

/** Sign-in attempt counters shared by several hub processes (src/login-throttle.ts); kept in step with PostgreSQL, unused by a city. */
export class Migration20261203110100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `login_throttles` (`key` text not null, `points` integer not null, `expires_at` datetime not null, primary key (`key`));',
    );
    this.addSql('create index `login_throttles_expires_at_index` on `login_throttles` (`expires_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table `login_throttles`;');
  }
}
