import { Migration } from '@mikro-orm/migrations';

export class Migration20261202120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "outbox" add column "claimed_by" varchar(24) null, add column "claimed_until" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox" drop column "claimed_by", drop column "claimed_until";`);
  }
}
