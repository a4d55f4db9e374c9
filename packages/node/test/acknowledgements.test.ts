import { readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 18: one city acknowledges ("seen it here too") a report once. A second one is
// refused when authored and at ingest, whoever at that city signs it.

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
});
afterAll(() => net?.close());

const post = async () => {
  const author = await net.login(net.node('t-city-1'), 'staff');
  const { id } = await author.staff.postBulletin.mutate({
    tlp: 'GREEN',
    audience: ['*'],
    body: { title: 'Phishing wave', narrative: 'n', category: 'cyber.phishing', severity: 'low' },
  });
  await net.processAll();
  return id;
};

describe('acknowledgements', () => {
  it('a city acknowledges a report once: the second is refused, and the console stops offering it', async () => {
    const id = await post();
    const staff = await net.login(net.node('t-city-2'), 'staff');
    const mayor = await net.login(net.node('t-city-2'), 'mayor');
    expect((await mayor.staff.object.query({ id })).can.acknowledge).toBe(true);
    await staff.staff.acknowledge.mutate({ target: id, seenHere: true });
    await expect(mayor.staff.acknowledge.mutate({ target: id, seenHere: true, comment: 'again' })).rejects.toThrow(
      't-city-2 has already acknowledged this report',
    );
    expect((await mayor.staff.object.query({ id })).can.acknowledge).toBe(false);
    await net.processAll();
    const author = await net.login(net.node('t-city-1'), 'staff');
    const acks = (await author.staff.object.query({ id })).related.filter((r) => r.kind === 'acknowledgement');
    expect(acks.map((a) => a.origin)).toEqual(['t-city-2']);
  });

  it('ingest refuses a second acknowledgement from the same city, held or in the same batch', async () => {
    const id = await post();
    const key = await readKeyFile(net.configOf('t-city-2').keyFile as string);
    const ack = async (comment: string) =>
      (
        await signObject(
          {
            v: 1,
            kind: 'acknowledgement',
            origin: 't-city-2',
            created: new Date().toISOString(),
            tlp: 'GREEN',
            audience: ['*'],
            body: { target: id, seenHere: true, comment },
          } as SignedObject,
          key,
        )
      ).jws;
    const city1 = net.node('t-city-1');
    const batch = await city1.inbound.receive([await ack('first'), await ack('second')], 't-city-2', 'push');
    expect(batch.map((r) => r.outcome)).toEqual(['accepted', 'rejected']);
    expect(batch[1]).toMatchObject({ reason: 'duplicate_acknowledgement' });
    const later = await city1.inbound.receive([await ack('third')], 't-city-2', 'push');
    expect(later[0]).toMatchObject({ outcome: 'rejected', reason: 'duplicate_acknowledgement' });
    // Another city may still acknowledge it.
    const hub = await net.login(net.hub, 'staff');
    await hub.staff.acknowledge.mutate({ target: id, seenHere: false });
  });
});
