import { Migration } from '@mikro-orm/migrations';

export class Migration20261125135631 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "items_created_id_index" on "items" ("created", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "items_created_id_index";`);
  }
}
