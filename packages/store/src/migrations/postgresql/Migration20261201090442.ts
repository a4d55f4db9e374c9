import { Migration } from '@mikro-orm/migrations';

export class Migration20261201090442 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "objects" add column "hold" varchar(16) null;`);
    this.addSql(`create index "objects_hold_index" on "objects" ("hold") where "hold" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "objects_hold_index";`);
    this.addSql(`alter table "objects" drop column "hold";`);
  }
}
