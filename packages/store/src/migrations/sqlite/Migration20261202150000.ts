import { Migration } from '@mikro-orm/migrations';

/** Election Day: escalations (each once), the notification centre, its delivery queue, preferences. */
export class Migration20261202150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`escalations\` (\`key\` text not null, \`kind\` text not null, \`subject\` text not null, \`period\` text not null, \`at\` datetime not null, primary key (\`key\`));`,
    );
    this.addSql(`create index \`escalations_period_index\` on \`escalations\` (\`period\`);`);

    this.addSql(
      `create table \`notifications\` (\`id\` integer not null primary key autoincrement, \`username\` text not null, \`kind\` text not null, \`subject\` text null, \`text\` text not null, \`emergency\` integer not null default false, \`created_at\` datetime not null, \`read_at\` datetime null);`,
    );
    this.addSql(
      `create index \`notifications_username_read_at_index\` on \`notifications\` (\`username\`, \`read_at\`);`,
    );

    this.addSql(
      `create table \`notification_deliveries\` (\`id\` integer not null primary key autoincrement, \`channel\` text not null, \`target\` text not null, \`payload\` text not null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`done_at\` datetime null, \`last_error\` text null);`,
    );
    this.addSql(
      `create index \`notification_deliveries_done_at_next_attempt_at_index\` on \`notification_deliveries\` (\`done_at\`, \`next_attempt_at\`);`,
    );

    this.addSql(
      `create table \`notification_prefs\` (\`username\` text not null, \`prefs\` text not null, primary key (\`username\`));`,
    );
  }
}
