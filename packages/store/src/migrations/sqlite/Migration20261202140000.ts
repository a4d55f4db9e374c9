import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid: one row per city. */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`city_scorecards\` (\`city\` text not null, \`statuses\` text not null, \`detail\` text not null, \`computed_at\` datetime not null, primary key (\`city\`));`,
    );
  }
}
