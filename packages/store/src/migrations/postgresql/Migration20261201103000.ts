import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search of items: a stemmed tsvector (english) of each item's search
 * text, split at every character that is not a letter or a digit as SQLite's FTS5
 * does, in a table of its own with a GIN index, kept in step by a trigger.
 */
export class Migration20261201103000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "items_fts" ("id" varchar(43) not null primary key references "items" ("id") on delete cascade, "tsv" tsvector not null);`,
    );
    this.addSql(
      `create function "items_fts_tsv"(text) returns tsvector language sql immutable as $$ select to_tsvector('english', regexp_replace($1, '[^[:alnum:]]+', ' ', 'g')) $$;`,
    );
    this.addSql(`insert into "items_fts" ("id", "tsv") select "id", "items_fts_tsv"("search_text") from "items";`);
    this.addSql(`create index "items_fts_tsv_index" on "items_fts" using gin ("tsv");`);
    this.addSql(
      `create function "items_fts_sync"() returns trigger language plpgsql as $$ begin insert into "items_fts" ("id", "tsv") values (new."id", "items_fts_tsv"(new."search_text")) on conflict ("id") do update set "tsv" = excluded."tsv"; return new; end $$;`,
    );
    this.addSql(
      `create trigger "items_fts_sync" after insert or update of "search_text" on "items" for each row execute function "items_fts_sync"();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "items_fts_sync" on "items";`);
    this.addSql(`drop function "items_fts_sync"();`);
    this.addSql(`drop table "items_fts";`);
    this.addSql(`drop function "items_fts_tsv"(text);`);
  }
}
