import { Migration } from '@mikro-orm/migrations';

export class Migration20261125130922 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`enrollments\` (\`id\` text not null, \`node\` text not null, \`name\` text not null, \`base_url\` text not null, \`kid\` text not null, \`contact\` text not null, \`jws\` text not null, \`status\` text not null, \`reason\` text null, \`received_at\` datetime not null, \`decided_at\` datetime null, \`decided_by\` text null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`enrollments_node_index\` on \`enrollments\` (\`node\`);`);
    this.addSql(`create index \`enrollments_status_index\` on \`enrollments\` (\`status\`);`);
  }
}
