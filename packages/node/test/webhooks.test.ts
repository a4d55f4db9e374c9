import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, TestNetwork } from '@citylink/dev-env';
import { base64url, utf8 } from '@citylink/protocol';
import { importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A real HTTP receiver: answers 500 to the first request, 200 after; keeps every request. */
async function startReceiver() {
  const received: { headers: IncomingHttpHeaders; body: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = received.length === 0 ? 500 : 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { received, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const clock = new ManualClock();
let ed: Awaited<ReturnType<typeof startReceiver>>;
let hmac: Awaited<ReturnType<typeof startReceiver>>;
let net: TestNetwork;

beforeAll(async () => {
  ed = await startReceiver();
  hmac = await startReceiver();
  net = await TestNetwork.create({
    cities: 1,
    clock: clock.now,
    configure: (c) =>
      c.role === 'hub'
        ? {
            ...c,
            operations: {
              deliveryTickMs: 3_600_000,
              backoffBaseMs: 5_000,
              webhooks: [
                { url: `${ed.url}/relay`, signature: 'ed25519' },
                { url: `${hmac.url}/relay`, signature: 'hmac', secret: SECRET },
              ],
            },
          }
        : c,
  });
});
afterAll(async () => {
  await net?.close();
  await ed?.close();
  await hmac?.close();
});

describe('signed webhooks', () => {
  it('are retried after a 500 with backoff, across a restart, and verify with the key the hub publishes', async () => {
    const hub = net.hub.ctx;
    await net.hub.store.transact((tx) =>
      hub.notifier.addIn(
        tx,
        [{ username: 'official' }],
        {
          kind: 'ack-overdue',
          subject: 'A'.repeat(43),
          emergency: true,
          text: 'Acknowledgement overdue: an EMERGENCY TLP:AMBER report from Test City t-city-1 — open CityLink',
          title: { text: 'must not leave the hub', tlp: 'AMBER' },
        },
        clock.now(),
      ),
    );
    await hub.notificationDispatch.flush();
    await hub.notificationDispatch.flush();
    expect(ed.received.map((r) => r.status)).toEqual([500]);
    expect(hmac.received.map((r) => r.status)).toEqual([500]);

    // The queue is durable: a restart in between loses nothing.
    await net.stop(net.hub.id);
    const restarted = (await net.restart(net.hub.id)).ctx;
    // Not due again until the backoff has passed on the node's clock.
    clock.advance(4_000);
    expect(await restarted.notificationDispatch.flush()).toBe(0);
    clock.advance(1_000);
    expect(await restarted.notificationDispatch.flush()).toBe(2);
    expect(ed.received.map((r) => r.status)).toEqual([500, 200]);
    expect(hmac.received.map((r) => r.status)).toEqual([500, 200]);
    expect(await restarted.notificationDispatch.flush()).toBe(0);

    const delivered = ed.received[1]!;
    const body = JSON.parse(delivered.body);
    expect(body).toMatchObject({ node: net.hub.id, kind: 'ack-overdue', emergency: true });
    expect(delivered.body).not.toContain('must not leave the hub');

    // Ed25519: `ed25519=<sig>; keyid=<kid>` over `<timestamp>.<body>`, with the key in the hub's JWKS.
    const header = String(delivered.headers['x-citylink-signature']);
    const m = /^ed25519=([A-Za-z0-9_-]+); keyid=([A-Za-z0-9_-]{43})$/.exec(header);
    expect(m).not.toBeNull();
    const jwks = (await (await fetch(`${net.hub.baseUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const jwk = jwks.keys.find((k) => k.kid === m![2]);
    expect(jwk).toBeDefined();
    const key = (await importJWK(jwk as never, 'EdDSA')) as CryptoKey;
    const signed = utf8.encode(`${delivered.headers['x-citylink-timestamp']}.${delivered.body}`);
    const sig = base64url.decode(m![1]!);
    expect(await crypto.subtle.verify('Ed25519', key, sig, signed)).toBe(true);
    // A tampered body does not verify.
    const tampered = utf8.encode(
      `${delivered.headers['x-citylink-timestamp']}.${delivered.body.replace('true', 'false')}`,
    );
    expect(await crypto.subtle.verify('Ed25519', key, sig, tampered)).toBe(false);

    // HMAC-SHA256 with the shared secret, over the same bytes.
    const h = hmac.received[1]!;
    const expected = createHmac('sha256', SECRET)
      .update(`${h.headers['x-citylink-timestamp']}.${h.body}`)
      .digest('hex');
    expect(h.headers['x-citylink-signature']).toBe(`hmac-sha256=${expected}`);

    const rows = await net.hub.store.read((r) => r.notifications.deliveries());
    expect(rows.map((r) => [r.channel, r.attempts, r.doneAt !== null])).toEqual([
      ['webhook', 2, true],
      ['webhook', 2, true],
    ]);
  });
});
