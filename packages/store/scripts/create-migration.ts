/**
 * Generates the next migration for both dialects from the entity definitions:
 *   npm run migration:create -w @citylink/store
 * Needs the PostgreSQL of DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
 * Review the generated SQL, then add the classes to src/migrations/<dialect>/index.ts.
 */
import { MikroORM } from '@mikro-orm/core';
import pg from 'pg';
import { ormOptions } from '../src/database.js';

const admin = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scratch = `citylink_migration_${process.pid}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`CREATE DATABASE ${scratch}`);
try {
  const targets = [
    { dialect: 'sqlite', config: { sqlitePath: ':memory:' } },
    { dialect: 'postgresql', config: { databaseUrl: admin.replace(/\/[^/]*$/, `/${scratch}`) } },
  ];
  for (const { dialect, config } of targets) {
    const orm = await MikroORM.init(await ormOptions(config));
    try {
      await orm.migrator.up();
      const result = await orm.migrator.createMigration(`src/migrations/${dialect}`);
      console.log(`${dialect}: ${result.fileName || 'no changes'}`);
    } finally {
      await orm.close(true);
    }
  }
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${scratch}`);
  await client.end();
}
