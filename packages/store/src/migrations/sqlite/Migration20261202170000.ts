import { Migration } from '@mikro-orm/migrations';

/** A person's title (e.g. "Mayor"), with the display name the profile a signature block is made from. */
export class Migration20261202170000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `users` add column `title` text null;');
  }
}
