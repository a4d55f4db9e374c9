import { once } from 'node:events';
import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { addressKey, type CityLinkNode } from '@citylink/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// Sign-in under attack: an attempt is counted before its password is checked (so a
// burst of parallel guesses cannot all be tried), password checks are bounded
// globally, sign-in is one call per HTTP request, and an address that keeps
// failing across usernames is stopped.

interface Answer {
  status: number;
  body: { result?: { data?: unknown }; error?: { message: string; data?: { code: string; retryAfterMs?: number } } };
}

async function login(node: CityLinkNode, username: string, password: string): Promise<Answer> {
  const res = await fetch(`${node.baseUrl}/trpc/staff.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, bearer: true }),
  });
  return { status: res.status, body: await res.json() };
}

/** One HTTP batch of sign-ins, as httpBatchLink would send it. */
async function batchLogin(node: CityLinkNode, passwords: string[], username = 'staff') {
  const paths = passwords.map(() => 'staff.login').join(',');
  const input = Object.fromEntries(passwords.map((password, i) => [i, { username, password, bearer: true }]));
  const res = await fetch(`${node.baseUrl}/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as Answer['body'] | Answer['body'][];
  return { status: res.status, answers: Array.isArray(body) ? body : [body] };
}

const signedIn = (a: Answer['body']) => a.result?.data !== undefined;

/** A raw tRPC WebSocket that collects every answer; `until` waits (bounded) for a condition on them. */
async function socket(node: CityLinkNode, params = false) {
  const ws = new WebSocket(`${node.baseUrl.replace(/^http/, 'ws')}/trpc${params ? '?connectionParams=1' : ''}`);
  await once(ws, 'open');
  const answers: { id: number | null; error?: { message: string } }[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    for (const a of Array.isArray(msg) ? msg : [msg]) answers.push(a);
    for (const l of listeners) l();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const timer = setTimeout(() => reject(new Error(`only ${answers.length} answers`)), 20_000);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    });
  return { ws, answers, until };
}

describe('sign-in limits', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({
      cities: 2,
      configure: (c) => ({
        ...c,
        limits: {
          loginAttemptsPer15Min: 5,
          ...(c.nodeId === 't-city-2' && { loginFailuresPerAddressPer15Min: 4 }),
          ...(c.nodeId === 't-hub' && { passwordHashConcurrency: 1, passwordHashQueue: 0 }),
        },
      }),
    });
  });
  afterAll(() => net?.close());

  it('counts an attempt before checking it: the right password sent last among 40 parallel guesses is refused', async () => {
    const city = net.cities[0]!;
    // All attempts start in the same tick, as the calls of one batch or many parallel requests do.
    const attempts = Array.from({ length: 40 }, (_, i) =>
      city.accounts.login('mayor', i === 39 ? TEST_PASSWORD : `wrong-guess-${i}-xxxx`, '192.0.2.7'),
    );
    const settled = await Promise.allSettled(attempts);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(0);
    const last = settled[39] as PromiseRejectedResult;
    expect(last.reason).toMatchObject({ name: 'RateLimitedError' });
    expect(last.reason.retryAfterMs).toBeGreaterThan(0);
    // Only as many as the budget were checked; the rest were refused up front.
    const checked = settled.filter((s) => s.status === 'rejected' && s.reason.name === 'UnauthenticatedError');
    expect(checked).toHaveLength(5);
    // The budget is per account and address: another account, or the same from elsewhere, still signs in.
    expect((await login(city, 'admin', TEST_PASSWORD)).status).toBe(200);
    expect((await login(city, 'mayor', TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses sign-in inside an HTTP batch, and any batch of more than 50 calls, without checking a password', async () => {
    const city = net.cities[0]!;
    // The whole request is refused before any call runs; each call gets the answer.
    const two = await batchLogin(city, ['wrong-password-1', TEST_PASSWORD]);
    expect(two.status).toBe(400);
    expect(two.answers).toHaveLength(2);
    for (const a of two.answers) {
      expect(a.error?.data?.code).toBe('BAD_REQUEST');
      expect(a.error?.message).toMatch(/not inside a batch/);
    }
    const guesses = Array.from({ length: 200 }, (_, i) => (i === 150 ? TEST_PASSWORD : `wrong-${i}-password`));
    const big = await batchLogin(city, guesses);
    expect(big.status).toBe(400);
    expect(big.answers.some(signedIn)).toBe(false);
    expect(JSON.stringify(big.answers)).toMatch(/Batch call exceeds maximum size/);
    // The console's batch link sends a sign-in alone: a batch of one works.
    const one = await batchLogin(city, [TEST_PASSWORD]);
    expect(one.status).toBe(200);
    expect(one.answers.every(signedIn)).toBe(true);
  });

  it('cuts an anonymous socket that sends a sign-in or more than 50 calls in a frame, answering none', async () => {
    const city = net.cities[0]!;
    const call = (id: number, password: string) => ({
      id,
      method: 'mutation',
      params: { path: 'staff.login', input: { username: 'admin', password, bearer: true } },
    });
    const me = (id: number) => ({ id, method: 'query', params: { path: 'staff.me' } });
    for (const [frame, reason] of [
      [[call(1, TEST_PASSWORD), call(2, 'wrong-password-x')], /sign in over HTTP/],
      [[call(1, TEST_PASSWORD)], /sign in over HTTP/],
      [Array.from({ length: 51 }, (_, i) => me(100 + i)), /too many calls in one frame/],
    ] as const) {
      const { ws, answers } = await socket(city);
      const closed = once(ws, 'close') as Promise<[number, Buffer]>;
      const gaveUp = new Promise<[string, string]>((resolve) =>
        setTimeout(() => resolve(['still open', JSON.stringify(answers)]), 10_000).unref(),
      );
      ws.send(JSON.stringify(frame));
      const [code, why] = await Promise.race([closed, gaveUp]);
      ws.terminate();
      expect(code).toBe(4400);
      expect(String(why)).toMatch(reason);
      expect(answers).toHaveLength(0);
    }
  });

  it("answers every call of an authenticated socket's frame of more than 50 calls with 400, running none", async () => {
    const city = net.cities[0]!;
    const token = (await login(city, 'staff', TEST_PASSWORD)).body.result?.data as { token: string };
    const { ws, answers, until } = await socket(city, true);
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: token.token } }));
    const me = (id: number) => ({ id, method: 'query', params: { path: 'staff.me' } });
    ws.send(JSON.stringify(me(1)));
    await until(() => answers.length >= 1);
    expect(answers[0]?.error).toBeUndefined();
    ws.send(JSON.stringify(Array.from({ length: 51 }, (_, i) => me(100 + i))));
    await until(() => answers.length >= 52);
    ws.close();
    expect(answers.slice(1).map((a) => a.error?.message)).toEqual(
      Array.from({ length: 51 }, () => 'Batch call exceeds maximum size'),
    );
  });

  it('answers 429 at once when every password check slot is busy', async () => {
    const hub = net.hub;
    // Different usernames, so that only the global bound can refuse them.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(hub, `someone-${i}`, 'not-the-password')),
    );
    const busy = answers.filter((a) => a.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.body.error?.message).toMatch(/sign-in is busy/);
    expect(busy[0]!.body.error?.data?.retryAfterMs).toBeGreaterThan(0);
    // The rest were checked and failed as usual.
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThan(0);
    expect((await login(hub, 'official', TEST_PASSWORD)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64, so fresh addresses from one block share a budget', async () => {
    expect(addressKey('2001:db8:1:2::5')).toBe(addressKey('2001:db8:1:2:ffff:0:0:9'));
    expect(addressKey('2001:db8:1:2::5')).not.toBe(addressKey('2001:db8:1:3::5'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    const city = net.cities[1]!;
    for (let i = 0; i < 4; i++) {
      await expect(city.accounts.login(`sprayed-${i}`, 'Spring2026!spray', `2001:db8:7:7::${i + 1}`)).rejects.toThrow(
        'wrong username or password',
      );
    }
    await expect(city.accounts.login('staff', TEST_PASSWORD, '2001:db8:7:7:abcd::1')).rejects.toThrow(
      /from this address/,
    );
    await expect(city.accounts.login('staff', TEST_PASSWORD, '2001:db8:7:8::1')).resolves.toBeDefined();
  });

  it('stops an address spraying one password across usernames', async () => {
    const city = net.cities[1]!;
    for (const username of ['alice', 'bob', 'carol', 'dave']) {
      expect((await login(city, username, 'Spring2026!spray')).status).toBe(401);
    }
    const next = await login(city, 'staff', TEST_PASSWORD);
    expect(next.status).toBe(429);
    expect(next.body.error?.message).toMatch(/from this address/);
  });
});

describe('the password check rate', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({
      cities: 0,
      configure: (c) => ({ ...c, limits: { passwordChecksPerSecond: 1 } }),
    });
  });
  afterAll(() => net?.close());

  it('keeps password checks to a rate in all, answering 429 beyond it without counting the attempt', async () => {
    const hub = net.hub;
    // A burst of four seconds' worth (4), from as many addresses as a flood may have.
    for (let i = 0; i < 4; i++) {
      await expect(hub.accounts.login(`someone-${i}`, 'not-the-password', `198.51.100.${i}`)).rejects.toThrow(
        'wrong username or password',
      );
    }
    const refused = await hub.accounts.login('staff', TEST_PASSWORD, '198.51.100.200').catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'RateLimitedError', message: /sign-in is busy/ });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
  });
});
