import { createClient } from '@citylink/client';
import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';

describe('plain HTTP endpoints and accounts', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({
      cities: 1,
      configure: (c) => ({ ...c, limits: { loginAttemptsPer15Min: 3 }, metrics: { token: METRICS_TOKEN } }),
    });
  });
  afterAll(() => net?.close());

  it('publishes health, node description and the node keys', async () => {
    const city = net.cities[0]!;
    const health = await (await fetch(`${city.baseUrl}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, node: 't-city-1', rosterVersion: net.hub.roster.version });

    const info = await (await fetch(`${city.baseUrl}/.well-known/citylink-node.json`)).json();
    expect(info).toEqual({
      node: 't-city-1',
      role: 'city',
      name: 'Test City t-city-1',
      network: 't-net',
      baseUrl: city.baseUrl,
      jwksUrl: `${city.baseUrl}/.well-known/jwks.json`,
      hub: 't-hub',
      protocolVersion: 1,
    });

    const jwks = await (await fetch(`${city.baseUrl}/.well-known/jwks.json`)).json();
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: city.keyId, alg: 'EdDSA' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('exposes Prometheus metrics that count what happened', async () => {
    const city = net.cities[0]!;
    const api = await net.login(city);
    await api.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'metrics', narrative: 'count me', category: 'cyber.ddos', severity: 'low' },
    });
    await net.processAll();
    const res = await fetch(`${city.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/citylink_objects_in_total\{kind="bulletin",path="local",node="t-city-1"\} [1-9]/);
    expect(text).toMatch(/citylink_objects_out_total\{outcome="accepted",node="t-city-1"\} [1-9]/);
    expect(text).toMatch(/citylink_outbox_depth\{node="t-city-1"\} 0/);
    expect(text).toContain('citylink_delivery_latency_seconds_bucket');
  });

  it('answers /metrics only with the metrics token', async () => {
    const city = net.cities[0]!;
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Basic ${METRICS_TOKEN}`,
      `Bearer ${METRICS_TOKEN}x`,
    ]) {
      const res = await fetch(`${city.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('citylink_');
    }
  });

  it('has no /metrics at all without a configured token', async () => {
    await using plain = await TestNetwork.create({ cities: 1, users: false });
    const res = await fetch(`${plain.cities[0]!.baseUrl}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('citylink_');
  });

  it('sends security headers and refuses unknown paths and methods', async () => {
    const city = net.cities[0]!;
    const res = await fetch(`${city.baseUrl}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${city.baseUrl}/healthz`, { method: 'DELETE' })).status).toBe(405);
  });

  it('signs in with a password, sets an httpOnly SameSite cookie, and signs out', async () => {
    const city = net.cities[0]!;
    const res = await fetch(`${city.baseUrl}/trpc/staff.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'staff', password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^citylink_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await res.json()).result.data).not.toHaveProperty('token');

    const session = cookie.split(';')[0]!;
    const me = await (await fetch(`${city.baseUrl}/trpc/staff.me`, { headers: { cookie: session } })).json();
    expect(me.result.data.user).toMatchObject({ username: 'staff', roles: ['staff', 'red-recipient'] });

    // A cookie-carrying write from another site is refused.
    const crossSite = await fetch(`${city.baseUrl}/trpc/staff.logout`, {
      method: 'POST',
      headers: { cookie: session, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);

    const out = await fetch(`${city.baseUrl}/trpc/staff.logout`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    const after = await (await fetch(`${city.baseUrl}/trpc/staff.me`, { headers: { cookie: session } })).json();
    expect(after.result.data.user).toBeNull();
  });

  it('says "wrong username or password" alike for both, and locks out after repeated failures', async () => {
    const anon = createClient({ baseUrl: net.hub.baseUrl });
    await expect(anon.staff.login.mutate({ username: 'nobody', password: 'whatever-whatever' })).rejects.toThrow(
      'wrong username or password',
    );
    for (let i = 0; i < 3; i++) {
      await expect(anon.staff.login.mutate({ username: 'admin', password: `wrong-${i}-password` })).rejects.toThrow();
    }
    await expect(anon.staff.login.mutate({ username: 'admin', password: TEST_PASSWORD })).rejects.toThrow(
      /too many failed sign-in attempts/,
    );
    // Other accounts are unaffected.
    const ok = await anon.staff.login.mutate({ username: 'staff', password: TEST_PASSWORD, bearer: true });
    expect(ok.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses staff calls without a session and hub calls from a city account', async () => {
    const anon = createClient({ baseUrl: net.hub.baseUrl });
    await expect(anon.staff.feed.query({})).rejects.toThrow(/sign in first/);
    const cityStaff = await net.login(net.cities[0]!);
    await expect(cityStaff.hub.overview.query()).rejects.toThrow(/roles: hub-official, admin/);
    const hubStaff = await net.login(net.hub, 'staff');
    await expect(hubStaff.hub.overview.query()).rejects.toThrow(/roles/);
    const official = await net.login(net.hub, 'official');
    const overview = await official.hub.overview.query();
    expect(overview.byOrigin['t-city-1']).toBeGreaterThanOrEqual(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(overview.byDay).toContainEqual({ day: today, category: 'cyber.ddos', severity: 'low', n: 1 });
    await net.cities[0]!.pullFromHub();
    const health = await official.hub.network.query();
    expect(health.find((m) => m.node === 't-city-1')?.catchUpLag).toBe(0);
  });

  it('the public feed shows TLP:CLEAR and nothing else, without signing in', async () => {
    const city = net.cities[0]!;
    const api = await net.login(city);
    const ids: Record<string, string> = {};
    for (const [tlp, audience, recipients] of [
      ['CLEAR', ['*'], undefined],
      ['GREEN', ['*'], undefined],
      ['AMBER', ['t-hub'], undefined],
      ['RED', ['t-hub'], [{ node: 't-hub', user: 'official' }]],
    ] as const) {
      ids[tlp] = (
        await api.staff.postBulletin.mutate({
          tlp,
          audience: [...audience],
          ...(recipients && { recipients: [...recipients] }),
          body: {
            title: `public page ${tlp}`,
            narrative: 'n',
            category: 'information.misinformation',
            severity: 'low',
          },
        })
      ).id;
    }
    await net.processAll();
    for (const node of [city, net.hub]) {
      const anon = createClient({ baseUrl: node.baseUrl });
      const feed = await anon.public.feed.query({ text: 'public page' });
      expect(
        feed.items.map((i) => i.id),
        node.id,
      ).toEqual([ids.CLEAR]);
      expect((await anon.public.object.query({ id: ids.CLEAR! })).id).toBe(ids.CLEAR);
      for (const tlp of ['GREEN', 'AMBER', 'RED']) {
        await expect(anon.public.object.query({ id: ids[tlp]! }), tlp).rejects.toThrow(/no public object/);
      }
      // The public page names cities by name: names and ids of active members, nothing else.
      const { members } = await anon.public.cities.query();
      expect(members.find((m) => m.node === city.id)).toEqual({ node: city.id, name: city.info().name });
      expect(members.every((m) => Object.keys(m).sort().join() === 'name,node')).toBe(true);
    }
  });
});
