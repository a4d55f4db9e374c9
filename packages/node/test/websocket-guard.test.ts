import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { eventually, TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode } from '@citylink/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// The WebSocket door: a page of another origin cannot ride the staff's cookie
// (cross-site WebSocket hijacking), an `Origin: null` is refused cleanly, and
// sockets that never authenticate are capped and closed.

let net: TestNetwork;
let cookie: string;
beforeAll(async () => {
  net = await TestNetwork.create({
    cities: 1,
    configure: (c) => ({
      ...c,
      limits: { wsUnauthenticatedPerAddress: 3, wsUnauthenticatedTotal: 5, wsAuthenticateMs: 1_500 },
    }),
  });
  cookie = await sessionCookie(net.hub);
});
afterAll(() => net?.close());

const wsUrl = (node: CityLinkNode, params = false) =>
  `${node.baseUrl.replace(/^http/, 'ws')}/trpc${params ? '?connectionParams=1' : ''}`;

type Opened = { ws: WebSocket } | { status: number; body: string };

/** Opens a socket; resolves with it, or with the HTTP status the upgrade was refused with. */
function open(url: string, opts: WebSocket.ClientOptions = {}): Promise<Opened> {
  const ws = new WebSocket(url, opts);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** One call on an open socket (whose context needs no connection params). */
async function call(ws: WebSocket, path: string, id = 1): Promise<{ result?: { data: unknown }; error?: unknown }> {
  const answer = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
  ws.send(JSON.stringify({ id, method: 'query', params: { path } }));
  return JSON.parse(await answer);
}

describe('Origin of cookie-carrying requests', () => {
  it('refuses a WebSocket upgrade with the session cookie from another port or a sibling host', async () => {
    const hub = net.hub;
    const port = new URL(hub.baseUrl).port;
    for (const origin of [
      'http://127.0.0.1:4002',
      `http://sub.127.0.0.1.nip.example:${port}`,
      `https://127.0.0.1:${port}`,
    ]) {
      const r = await open(wsUrl(hub), { headers: { cookie, origin } });
      if ('ws' in r) {
        // What the hijack would read before the fix.
        const me = await call(r.ws, 'staff.me');
        r.ws.close();
        expect.fail(`opened from ${origin}; staff.me said ${JSON.stringify(me)}`);
      }
      expect(r.status).toBe(403);
      expect(r.body).toMatch(/must come from this node's origin/);
    }
  });

  it('refuses `Origin: null` with the cookie cleanly, on the upgrade and on HTTP writes (403, not 500)', async () => {
    const hub = net.hub;
    const r = await open(wsUrl(hub), { headers: { cookie, origin: 'null' } });
    expect('status' in r && r.status).toBe(403);
    const res = await fetch(`${hub.baseUrl}/trpc/staff.logout`, {
      method: 'POST',
      headers: { cookie, origin: 'null', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/cross-origin request refused/);
  });

  it('refuses a cookie-carrying HTTP write whose Origin differs from the node only in scheme', async () => {
    const hub = net.hub;
    const res = await fetch(`${hub.baseUrl}/trpc/staff.logout`, {
      method: 'POST',
      headers: { cookie, origin: hub.baseUrl.replace(/^http:/, 'https:'), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('lets the console (same origin, cookie) and clients without Origin (token in params) in', async () => {
    const hub = net.hub;
    const cookie = await sessionCookie(hub);
    const same = await open(wsUrl(hub), { headers: { cookie, origin: hub.baseUrl } });
    if (!('ws' in same)) throw new Error(`refused: ${same.status} ${same.body}`);
    const me = (await call(same.ws, 'staff.me')) as { result: { data: { user: { username: string } } } };
    expect(me.result.data.user.username).toBe('staff');
    same.ws.close();

    // No Origin (the CLI, scripts, other nodes): not a browser, allowed.
    const plain = await open(wsUrl(hub), { headers: { cookie } });
    if (!('ws' in plain)) throw new Error(`refused: ${plain.status} ${plain.body}`);
    expect(
      ((await call(plain.ws, 'staff.me')) as { result: { data: { user: unknown } } }).result.data.user,
    ).toMatchObject({
      username: 'staff',
    });
    plain.ws.close();
  });
});

describe('unauthenticated WebSockets', () => {
  const opened: WebSocket[] = [];
  afterAll(() => {
    for (const ws of opened) ws.terminate();
  });

  it('caps them per address (429) and in all (503) at the upgrade; authenticated ones do not count', async () => {
    const city = net.cities[0]!;
    const token = await bearer(city);
    // Authenticated sockets: a session token in the connection params.
    for (let i = 0; i < 4; i++) {
      const r = await open(wsUrl(city, true));
      if (!('ws' in r)) throw new Error(`authenticated socket ${i} refused: ${r.status}`);
      opened.push(r.ws);
      r.ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      const me = (await call(r.ws, 'staff.me')) as { result: { data: { user: unknown } } };
      expect(me.result.data.user).not.toBeNull();
    }
    const anon = async (localAddress: string) => {
      const r = await open(wsUrl(city), { localAddress });
      if ('ws' in r) opened.push(r.ws);
      return r;
    };
    for (let i = 0; i < 3; i++) expect('ws' in (await anon('127.0.0.1'))).toBe(true);
    const fourth = await anon('127.0.0.1');
    expect('status' in fourth && fourth.status).toBe(429);
    for (let i = 0; i < 2; i++) expect('ws' in (await anon('127.0.0.2'))).toBe(true);
    const over = await anon('127.0.0.3');
    expect('status' in over && over.status).toBe(503);
    if ('body' in over) expect(over.body).toMatch(/too many unauthenticated WebSockets/);
  });

  it('closes a socket that has not authenticated in time, and frees its slot', async () => {
    const city = net.cities[0]!;
    for (const ws of opened.splice(0)) ws.terminate();
    const r = await open(wsUrl(city, true), { localAddress: '127.0.0.4' });
    if (!('ws' in r)) throw new Error(`refused: ${r.status}`);
    r.ws.send(JSON.stringify({ method: 'connectionParams', data: { token: 'not-a-session' } }));
    const closed = once(r.ws, 'close') as Promise<[number, Buffer]>;
    const gaveUp = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000).unref());
    const outcome = await Promise.race([closed, gaveUp]);
    r.ws.terminate();
    expect(outcome === 'still open' ? outcome : outcome[0]).toBe(4401);
    // Its slot is free again: the address may open its full share.
    for (let i = 0; i < 3; i++) {
      await eventually(async () => {
        const again = await open(wsUrl(city), { localAddress: '127.0.0.4' });
        if (!('ws' in again)) throw new Error(`refused: ${again.status}`);
        opened.push(again.ws);
      }, 5_000);
    }
  });
});

async function sessionCookie(node: CityLinkNode): Promise<string> {
  const res = await fetch(`${node.baseUrl}/trpc/staff.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'staff', password: TEST_PASSWORD }),
  });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function bearer(node: CityLinkNode): Promise<string> {
  const res = await fetch(`${node.baseUrl}/trpc/staff.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'staff', password: TEST_PASSWORD, bearer: true }),
  });
  return (await res.json()).result.data.token;
}
