import { createRequestToken, readKeyFile } from '@citylink/crypto';
import { describe, expect, it } from 'vitest';
import { cluster } from './hub-cluster-harness.js';

// Two `apps/hub` processes on one PostgreSQL database: a request token is good for one
// call at one process. Replayed at the other process (a captured token, another address
// behind the load balancer), it is refused there too: the ids are claimed in the database.

describe('request tokens under two hub processes', () => {
  it('a token used at one process is refused as replayed at the other; a fresh one is taken', async () => {
    const c = await cluster(2, 1);
    const city = c.net.cities[0]!;
    const key = await readKeyFile(c.net.configOf(city.id).keyFile);
    const token = () =>
      createRequestToken({ key, issuer: city.id, audience: c.net.hub.id, scope: 'federation.roster' });
    const call = (port: number, t: string) =>
      fetch(`http://127.0.0.1:${port}/trpc/federation.roster`, { headers: { authorization: `CityLink ${t}` } });

    const once = await token();
    expect((await call(c.ports[0]!, once)).status).toBe(200);
    const replayed = await call(c.ports[1]!, once);
    expect(replayed.status).toBe(401);
    expect(await replayed.text()).toMatch(/replayed/);
    // The same process refused it before too (its own cache); a fresh token goes through at either.
    expect((await call(c.ports[0]!, once)).status).toBe(401);
    expect((await call(c.ports[1]!, await token())).status).toBe(200);
  }, 120_000);
});
