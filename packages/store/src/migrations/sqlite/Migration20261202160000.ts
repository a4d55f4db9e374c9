import { Migration } from '@mikro-orm/migrations';

/**
 * The FTS5 index out of the append: a new item only queues its rowid in
 * `items_fts_pending` (one small insert), and the store indexes the queue in bulk
 * (`indexPendingSearch`) before any search and in the background. A row still
 * queued is not in the index, so deleting or re-texting it touches the queue only.
 */
export class Migration20261202160000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table `items_fts_pending` (`item_rowid` integer not null primary key);');
    this.addSql('drop trigger `items_fts_insert`;');
    this.addSql('drop trigger `items_fts_delete`;');
    this.addSql('drop trigger `items_fts_update`;');
    this.addSql(
      'create trigger `items_fts_insert` after insert on `items` begin insert into `items_fts_pending`(`item_rowid`) values (new.rowid); end;',
    );
    this.addSql(
      "create trigger `items_fts_delete` after delete on `items` begin insert into `items_fts`(`items_fts`, rowid, `search_text`) select 'delete', old.rowid, old.`search_text` where not exists (select 1 from `items_fts_pending` where `item_rowid` = old.rowid); delete from `items_fts_pending` where `item_rowid` = old.rowid; end;",
    );
    this.addSql(
      "create trigger `items_fts_update` after update of `search_text` on `items` when not exists (select 1 from `items_fts_pending` where `item_rowid` = old.rowid) begin insert into `items_fts`(`items_fts`, rowid, `search_text`) values ('delete', old.rowid, old.`search_text`); insert into `items_fts`(rowid, `search_text`) values (new.rowid, new.`search_text`); end;",
    );
  }
}
