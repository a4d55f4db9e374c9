import { Migration } from '@mikro-orm/migrations';

export class Migration20261202130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`api_tokens\` (\`id\` text not null, \`name\` text not null, \`role\` text not null, \`created_at\` datetime not null, \`created_by\` text not null, \`revoked_at\` datetime null, \`last_used_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`api_tokens_name_unique\` on \`api_tokens\` (\`name\`);`);
  }
}
