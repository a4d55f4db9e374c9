import { Migration } from '@mikro-orm/migrations';

export class Migration20261125124332 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`audit_events\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor\` text not null, \`action\` text not null, \`subject\` text null, \`detail\` json null);`,
    );
    this.addSql(`create index \`audit_events_at_index\` on \`audit_events\` (\`at\`);`);
    this.addSql(`create index \`audit_events_action_index\` on \`audit_events\` (\`action\`);`);

    this.addSql(
      `create table \`items\` (\`id\` text not null, \`kind\` text not null, \`origin\` text not null, \`created\` datetime not null, \`tlp\` text not null, \`title\` text not null, \`category\` text null, \`severity\` text null, \`topic\` text null, \`status\` text null, \`retracted\` integer not null default false, \`superseded_by\` text null, \`search_text\` text not null, \`updated_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`items_kind_created_index\` on \`items\` (\`kind\`, \`created\`);`);
    this.addSql(`create index \`items_status_index\` on \`items\` (\`status\`);`);
    this.addSql(`create index \`items_origin_index\` on \`items\` (\`origin\`);`);

    this.addSql(
      `create table \`log\` (\`seq\` integer not null, \`object_id\` text not null, \`appended_at\` datetime not null, primary key (\`seq\`));`,
    );
    this.addSql(`create unique index \`log_object_id_unique\` on \`log\` (\`object_id\`);`);

    this.addSql(
      `create table \`members\` (\`node\` text not null, \`name\` text not null, \`base_url\` text not null, \`role\` text not null, \`status\` text not null, \`keys\` json not null, \`roster_version\` integer not null, \`updated_at\` datetime not null, primary key (\`node\`));`,
    );

    this.addSql(`create table \`node_meta\` (\`key\` text not null, \`value\` text not null, primary key (\`key\`));`);

    this.addSql(
      `create table \`outbox\` (\`id\` integer not null primary key autoincrement, \`object_id\` text not null, \`recipient\` text not null, \`created_at\` datetime not null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`last_error\` text null, \`outcome\` text not null default 'pending', \`reason\` text null, \`delivered_at\` datetime null);`,
    );
    this.addSql(
      `create index \`outbox_outcome_recipient_next_attempt_at_index\` on \`outbox\` (\`outcome\`, \`recipient\`, \`next_attempt_at\`);`,
    );
    this.addSql(
      `create unique index \`outbox_object_id_recipient_unique\` on \`outbox\` (\`object_id\`, \`recipient\`);`,
    );

    this.addSql(
      `create table \`peers\` (\`node\` text not null, \`cursor_epoch\` text null, \`cursor_seq\` integer not null default 0, \`last_pull_at\` datetime null, \`last_push_ok_at\` datetime null, \`last_inbound_at\` datetime null, \`last_error_at\` datetime null, \`last_error\` text null, \`consecutive_failures\` integer not null default 0, primary key (\`node\`));`,
    );

    this.addSql(
      `create table \`sessions\` (\`id\` text not null, \`user_id\` integer not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`last_seen_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);

    this.addSql(
      `create table \`objects\` (\`id\` text not null, \`kind\` text not null, \`origin\` text not null, \`kid\` text not null, \`created\` datetime not null, \`received_at\` datetime not null, \`received_from\` text not null, \`tlp\` text not null, \`audience\` json not null, \`recipients\` json null, \`target\` text null, \`jws\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`objects_kind_created_index\` on \`objects\` (\`kind\`, \`created\`);`);
    this.addSql(`create index \`objects_origin_index\` on \`objects\` (\`origin\`);`);
    this.addSql(`create index \`objects_target_index\` on \`objects\` (\`target\`);`);

    this.addSql(
      `create table \`users\` (\`id\` integer not null primary key autoincrement, \`username\` text not null, \`display_name\` text not null, \`password_hash\` text not null, \`roles\` json not null, \`disabled\` integer not null default false, \`created_at\` datetime not null);`,
    );
    this.addSql(`create unique index \`users_username_unique\` on \`users\` (\`username\`);`);
  }
}
