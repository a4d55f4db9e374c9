import { Migration } from '@mikro-orm/migrations';

/** The hub's statewide preparedness grid: one row per city and recommendation. */
export class Migration20261202140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`scorecard_cells\` (\`city\` text not null, \`recommendation\` integer not null, \`key\` text not null, \`status\` text not null, \`reason\` text not null, \`next\` text not null, \`computed_at\` datetime not null, primary key (\`city\`, \`recommendation\`));`,
    );
    this.addSql(
      `create index \`scorecard_cells_recommendation_status_index\` on \`scorecard_cells\` (\`recommendation\`, \`status\`);`,
    );
  }
}
