import { Migration } from '@mikro-orm/migrations';

/** Full-text search of items: an FTS5 index (porter stemming) kept in step by triggers. */
export class Migration20261201103000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create virtual table \`items_fts\` using fts5(\`search_text\`, content='items', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2');`,
    );
    this.addSql(`insert into \`items_fts\`(rowid, \`search_text\`) select rowid, \`search_text\` from \`items\`;`);
    this.addSql(
      `create trigger \`items_fts_insert\` after insert on \`items\` begin insert into \`items_fts\`(rowid, \`search_text\`) values (new.rowid, new.\`search_text\`); end;`,
    );
    this.addSql(
      `create trigger \`items_fts_delete\` after delete on \`items\` begin insert into \`items_fts\`(\`items_fts\`, rowid, \`search_text\`) values ('delete', old.rowid, old.\`search_text\`); end;`,
    );
    this.addSql(
      `create trigger \`items_fts_update\` after update of \`search_text\` on \`items\` begin insert into \`items_fts\`(\`items_fts\`, rowid, \`search_text\`) values ('delete', old.rowid, old.\`search_text\`); insert into \`items_fts\`(rowid, \`search_text\`) values (new.rowid, new.\`search_text\`); end;`,
    );
  }
}
