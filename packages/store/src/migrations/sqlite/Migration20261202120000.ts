import { Migration } from '@mikro-orm/migrations';

export class Migration20261202120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`outbox\` add column \`claimed_by\` text null;`);
    this.addSql(`alter table \`outbox\` add column \`claimed_until\` datetime null;`);
  }
}
