import { TestNetwork } from '@citylink/dev-env';
import { passwordEstimatorLoaded } from '@citylink/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the password policy', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 1, users: false });
  });
  afterAll(() => net?.close());

  it('loads its dictionaries only when an account is created', async () => {
    expect(passwordEstimatorLoaded()).toBe(false);
    await net.hub.addUser({ username: 'ann', password: 'ledger-otter-quarry-maple-41', roles: ['staff'] });
    expect(passwordEstimatorLoaded()).toBe(true);
  });

  it('refuses common, patterned and personal passwords with zxcvbn’s advice, and stores nothing', async () => {
    const city = net.cities[0]!;
    const refused: [string, string, RegExp][] = [
      ['bob', 'password1234', /similar to a commonly used password/],
      ['bob', 'qwertyuiopasdf', /too easy to guess \(strength [0-2] of 4, at least 3 needed\)/],
      ['bob', 'abcabcabcabcabc', /Repeated character patterns/],
      ['springfieldclerk', 'springfieldclerk1', /too easy to guess/],
      ['bob', 'Test City t-city-1!', /personal or page related data/],
      ['bob', 'short', /at least 12 characters/],
    ];
    for (const [username, password, reason] of refused) {
      await expect(city.addUser({ username, password, roles: ['staff'] }), password).rejects.toThrow(reason);
    }
    expect(await city.store.findUser('bob')).toBeNull();
    expect(await city.store.findUser('springfieldclerk')).toBeNull();
    await city.addUser({ username: 'bob', password: 'correct horse battery staple', roles: ['staff'] });
    expect(await city.store.findUser('bob')).not.toBeNull();
  });
});
