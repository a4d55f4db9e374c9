import { Migration } from '@mikro-orm/migrations';

export class Migration20261201095609 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`statement_summaries\` (\`statement_id\` text not null, \`origin\` text not null, \`tlp\` text not null, \`audience\` json not null, \`recipients\` json null, \`summary\` text not null, \`roster_version\` integer not null, \`updated_at\` datetime not null, primary key (\`statement_id\`));`,
    );
  }
}
