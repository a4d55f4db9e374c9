import { eventually as waitFor } from '@citylink/dev-env';
import { DatabaseInUseError, Store } from '@citylink/store';
import { describe, expect, it, onTestFinished } from 'vitest';
import { query } from './hub-cluster-harness.js';
import { createPgPair } from './pg-standby.js';

// The node lock is a session advisory lock, and it lives on one server. After the standby
// is promoted, a hub process must hold it again on the promoted server, or a city started
// there would be let in beside the hub processes (two writers of one log).

const sharedLocks = async (url: string) =>
  Number(
    (
      await query<{ n: string }>(
        url,
        "select count(*) as n from pg_locks where locktype = 'advisory' and mode = 'ShareLock' and granted",
      )
    )[0]!.n,
  );

describe('the node lock across a database failover', () => {
  it('a hub process takes its shared node lock again on the promoted standby; a city is still refused', async () => {
    const pair = await createPgPair();
    onTestFinished(() => pair.destroy());
    const hub = await Store.open({ databaseUrl: pair.url }, { node: true, shared: true });
    onTestFinished(() => hub.close());
    await expect(Store.open({ databaseUrl: pair.url }, { node: true })).rejects.toThrow(DatabaseInUseError);

    pair.crashPrimary();
    pair.promoteStandby();
    const promoted = `postgres://postgres@127.0.0.1:${pair.standbyPort}/citylink`;
    await waitFor(async () => expect(await sharedLocks(promoted)).toBe(1), 30_000);
    await expect(Store.open({ databaseUrl: promoted }, { node: true })).rejects.toThrow(DatabaseInUseError);
    // Another hub process still joins.
    const second = await Store.open({ databaseUrl: pair.url }, { node: true, shared: true });
    await second.close();

    // Released on close: the database is free again.
    await hub.close();
    expect(await sharedLocks(promoted)).toBe(0);
  }, 120_000);
});
