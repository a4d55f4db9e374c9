import { Migration } from '@mikro-orm/migrations';

/** The hub grid's trend: one row per UTC day with the counts per recommendation and status. */
export class Migration20261203100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`grid_snapshots\` (\`day\` text not null, \`cities\` integer not null, \`counts\` text not null, \`taken_at\` datetime not null, primary key (\`day\`));`,
    );
  }
}
