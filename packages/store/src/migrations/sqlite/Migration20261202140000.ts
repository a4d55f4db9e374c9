import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid (one row per city) and a city's personal training records (never federated). */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`city_scorecards\` (\`city\` text not null, \`statuses\` text not null, \`detail\` text not null, \`computed_at\` datetime not null, primary key (\`city\`));`,
    );
    this.addSql(
      `create table \`training_records\` (\`id\` integer not null primary key autoincrement, \`person\` text not null, \`course\` text not null, \`completed\` text not null, \`has_access\` integer not null, \`recorded_by\` text not null, \`recorded_at\` datetime not null);`,
    );
  }
}
