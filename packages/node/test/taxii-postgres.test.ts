import { readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaxiiClient } from './taxii-client.js';

// The same TAXII paths on PostgreSQL: log slices, append times and added_after are dialect code.

let net: TestNetwork;

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 1, postgres: true });
});
afterAll(() => net?.close());

describe('TAXII 2.1 on PostgreSQL', () => {
  it('pages with limit and next, and resumes with added_after', async () => {
    const city = net.node('t-city-1');
    const key = await readKeyFile(net.configOf(city.id).keyFile as string);
    const post = async (titles: string[]) => {
      const signed = await Promise.all(
        titles.map((title) =>
          signObject(
            {
              v: 1,
              kind: 'bulletin',
              origin: city.id,
              created: new Date().toISOString(),
              tlp: 'GREEN',
              audience: [],
              body: { title, narrative: 'n', category: 'cyber.phishing', severity: 'low' },
            } as SignedObject,
            key,
          ),
        ),
      );
      const results = await city.inbound.receive(
        signed.map((s) => s.jws),
        city.id,
        'local',
      );
      expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    };
    await post(Array.from({ length: 30 }, (_, i) => `pg ${i}`));
    const { token } = await city.tokens.create({ name: 'siem', role: 'feed-reader', by: 'test' });
    const client = new TaxiiClient(`${city.baseUrl}/taxii2/`, { user: 'siem', password: token });
    const collection = await client.collection('network');
    const all = await client.all(collection, { limit: '7' });
    const incidents = (objects: typeof all.objects) => objects.filter((o) => o.type === 'incident');
    expect(incidents(all.objects).map((o) => o.name)).toEqual(Array.from({ length: 30 }, (_, i) => `pg ${i}`));
    // Each page of 7 starts with the 3 objects its incidents name (the author, CityLink's
    // extension definition and its identity), then 4 incidents.
    expect(all.pages).toBe(Math.ceil(30 / 4));
    await post(['pg late']);
    const later = await client.all(collection, { added_after: all.last! });
    expect(incidents(later.objects).map((o) => o.name)).toEqual(['pg late']);
  });
});
