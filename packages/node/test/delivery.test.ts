import { TestNetwork } from '@citylink/dev-env';
import { withinBatchBytes } from '@citylink/node';
import { LIMITS } from '@citylink/protocol';
import { describe, expect, it } from 'vitest';

const row = (bytes: number) => ({ jws: 'a'.repeat(bytes) });

describe('batches stay within the protocol byte limit', () => {
  it('takes the longest prefix that fits, and always at least one row', () => {
    const half = LIMITS.maxBatchBytes / 2;
    expect(withinBatchBytes([row(half), row(half), row(1)])).toHaveLength(2);
    expect(withinBatchBytes([row(half), row(half + 1), row(1)])).toHaveLength(1);
    expect(withinBatchBytes([row(LIMITS.maxBatchBytes + 1), row(1)])).toHaveLength(1);
    expect(withinBatchBytes(Array.from({ length: 100 }, () => row(1000)))).toHaveLength(100);
    expect(withinBatchBytes([])).toEqual([]);
  });

  it('a backlog of large objects larger than one batch is delivered in several, none refused', async () => {
    await using net = await TestNetwork.create({ cities: 2 });
    const staff = await net.login(net.cities[0]!);
    // About 54 KB each once signed: 45 of them are more than one 2 MiB batch.
    const narrative = 'é'.repeat(20_000);
    await net.cities[0]!.delivery.stop();
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      const { id } = await staff.staff.postBulletin.mutate({
        tlp: 'AMBER',
        audience: ['t-city-2'],
        body: { title: `large ${i}`, narrative, category: 'operational.power-outage', severity: 'low' },
      });
      ids.push(id);
    }
    const sizes = (await net.cities[0]!.store.getObjects(ids)).map((o) => o.jws.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(LIMITS.maxBatchBytes);
    net.cities[0]!.delivery.start();
    await net.processAll();
    expect((await net.cities[1]!.store.heldIds(ids)).size).toBe(45);
    // Accepted at the first try: no batch was refused as too large.
    for (const id of ids) {
      expect((await net.cities[0]!.store.deliveriesOf(id))[0]).toMatchObject({ outcome: 'accepted', attempts: 0 });
    }
  });
});
