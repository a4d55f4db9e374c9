import { describe, expect, it } from 'vitest';
import { migratorOf } from '../src/database.js';
import { ENTITIES } from '../src/index.js';
import { knexOf, ormOf } from '../src/testing.js';
import { BACKENDS, sharedDatabase } from './fixtures.js';

describe.each(BACKENDS)('committed migrations (%s)', (dialect, factory) => {
  const db = sharedDatabase(factory);

  it('bring an empty database exactly to the entity schema', async () => {
    const { store } = db();
    expect(store.dialect).toBe(dialect);
    const diff = await ormOf(store).schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('are all applied on open and none is pending', async () => {
    const { store } = db();
    const migrator = await migratorOf(ormOf(store), dialect);
    expect(await migrator.getPendingMigrations()).toEqual([]);
    const expected =
      ormOf(store)
        .config.get('migrations')
        .migrationsList?.map((m) => m.name) ?? [];
    expect(expected.length).toBeGreaterThan(0);
    expect((await migrator.getExecutedMigrations()).map((m) => m.name)).toEqual(expected);
  });

  it('create one table per entity', async () => {
    const { store } = db();
    const tables = ENTITIES.map((e) => e.meta.tableName).sort();
    const knex = knexOf(store);
    for (const table of tables) expect(await knex.schema.hasTable(table), table).toBe(true);
  });

  it('are checked for real: a dropped index shows up in the schema diff', async () => {
    const { store } = db();
    const conn = ormOf(store).em.getConnection();
    await conn.execute('drop index items_status_index');
    try {
      const diff = await ormOf(store).schema.getUpdateSchemaSQL({ wrap: false });
      expect(diff).toMatch(/create index .items_status_index. on .items. \(.status.\)/);
    } finally {
      await conn.execute('create index items_status_index on items (status)');
    }
    expect((await ormOf(store).schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
  });

  it('reopening an up-to-date database applies nothing and changes nothing', async () => {
    const second = await db().open();
    try {
      expect(await (await migratorOf(ormOf(second), dialect)).getPendingMigrations()).toEqual([]);
      expect((await ormOf(second).schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
      expect(second.epoch).toBe(db().store.epoch);
    } finally {
      await second.close();
    }
  });
});
