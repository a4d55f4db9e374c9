import { createClient } from '@citylink/client';
import { readKeyFile } from '@citylink/crypto';
import { TEST_PASSWORD, eventually as waitFor } from '@citylink/dev-env';
import { type CityLinkNode, createPeerClient } from '@citylink/node';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { cluster } from './hub-cluster-harness.js';

// Two `apps/hub` processes on one PostgreSQL database (and one key file): a key rotation
// made through one of them must be taken up by the other without a restart, or whatever
// the other signs afterwards carries a key the roster has closed.

async function signIn(port: number, username: string) {
  const anon = createClient({ baseUrl: `http://127.0.0.1:${port}` });
  const { token } = await anon.staff.login.mutate({ username, password: TEST_PASSWORD, bearer: true });
  return createClient({ baseUrl: `http://127.0.0.1:${port}`, token: token! });
}

describe('hub key rotation under two hub processes', () => {
  it('the other process signs with the new key from the roster notice on, and the cities adopt what it signs', async () => {
    const c = await cluster(2, 2);
    const [city1, city2] = c.net.cities as [CityLinkNode, CityLinkNode];
    const { kid } = await (await signIn(c.ports[0]!, 'admin')).admin.rotateKey.mutate();
    // The cities fetch the roster (every `intervals.rosterMs`; here at once) and follow the key chain.
    await city1.roster.refresh();
    expect(decodeProtectedHeader(city1.roster.jws!).kid).toBe(kid);

    // A membership change through the other process, after the rotation: the roster it signs
    // must carry the new key (the old one's window closed at the rotation).
    // The other process has adopted the rotated roster (told by the roster notice): ask it as a city would.
    const asCity = createPeerClient({
      baseUrl: `http://127.0.0.1:${c.ports[1]}`,
      self: city1.id,
      target: c.net.hub.id,
      key: () => key,
      timeoutMs: 10_000,
    });
    const key = await readKeyFile(c.net.configOf(city1.id).keyFile);
    await waitFor(async () => {
      const { jws } = await asCity.federation.roster.query();
      expect(decodeProtectedHeader(jws!).kid).toBe(kid);
    }, 10_000);
    const other = await signIn(c.ports[1]!, 'official');
    const { version } = await other.hub.setMemberStatus.mutate({ node: city2.id, status: 'suspended' });
    await waitFor(async () => {
      await city1.roster.refresh();
      expect(city1.roster.version).toBe(version);
    }, 10_000);
    expect(decodeProtectedHeader(city1.roster.jws!).kid).toBe(kid);
    expect(city1.roster.member(city2.id)?.status).toBe('suspended');
  }, 120_000);
});
