/**
 * Lightweight cities for bench/election-scale.ts: one process answers the federation
 * links of many cities, each at its own base URL `http://127.0.0.1:<port>/<city>`.
 * It speaks the real link protocol (docs/protocol.md §10.1) as a city's node does:
 * the first message's request token is checked with `verifyRequestToken` (audience the
 * city, scope `federation.link`, the hub's key, a replay cache), then each
 * `federation.deliver` object is checked with `verifyObject` against the senders'
 * keys and stored in the city's own map, answered `accepted` with the city's next
 * sequence number (or `duplicate`). Roster offers are verified the same way.
 *
 * One simplification, said out loud: a verdict is memoized per process by the exact
 * JWS string (the same bytes always verify the same way). 2,000 real cities verify
 * on 2,000 machines; here their signature checks would share the two cores that also
 * run the hub, and the benchmark would measure the simulation instead of the hub.
 *
 * IPC: `{type:'init', cities, hub, members}` → `{type:'ready', port}`;
 * `{type:'report'}` → `{type:'report', received, links, maxLinks, refused}`;
 * `{type:'latencies'}` → `{type:'latencies', hist, completion}` (ms since `created`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyRing, ReplayCache, type VerifyResult, verifyObject, verifyRequestToken } from '@citylink/crypto';
import type { Member } from '@citylink/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

interface Init {
  type: 'init';
  cities: string[];
  hub: string;
  /** The hub and the cities that post: everyone whose signatures arrive here. */
  members: Pick<Member, 'node' | 'keys'>[];
}

const init = await new Promise<Init>((resolve) => process.once('message', (m) => resolve(m as Init)));
const ring = new KeyRing(init.members);
const replay = new ReplayCache();
const verdicts = new Map<string, Promise<VerifyResult>>();
const verifyOnce = (jws: string, kinds?: ['roster']) => {
  let v = verdicts.get(jws);
  if (!v) {
    v = verifyObject(jws, { resolveKey: ring.resolve, ...(kinds && { kinds }) });
    verdicts.set(jws, v);
  }
  return v;
};

interface City {
  seq: number;
  /** object id → ms since the epoch when stored */
  held: Map<string, number>;
}
const cities = new Map<string, City>(init.cities.map((c) => [c, { seq: 0, held: new Map() }]));
/** Latency histogram (1 ms buckets) over every (object, city) pair, and each object's slowest city here. */
const hist = new Map<number, number>();
const completion = new Map<string, number>();
let received = 0;
let refused = 0;
let links = 0;
let maxLinks = 0;

type Call = { id: number | string; method?: string; params?: { path?: string; input?: unknown } };
const answer = (id: Call['id'], data: unknown) => ({ id, jsonrpc: '2.0', result: { type: 'data', data } });
const failure = (id: Call['id'], code: string, httpStatus: number, message: string) => ({
  id,
  jsonrpc: '2.0',
  error: { message, code: -32000, data: { code, httpStatus } },
});

async function deliver(c: City, objects: unknown): Promise<unknown> {
  if (!Array.isArray(objects)) throw new Error('objects must be an array');
  const results = [];
  for (const jws of objects) {
    const v = await verifyOnce(String(jws));
    if (!v.ok) {
      refused++;
      results.push({ outcome: 'rejected', reason: v.reason, detail: v.detail });
      continue;
    }
    if (c.held.has(v.id)) {
      results.push({ id: v.id, outcome: 'duplicate' });
      continue;
    }
    const now = Date.now();
    c.held.set(v.id, now);
    received++;
    const latency = Math.max(0, Math.round(now - Date.parse(v.object.created)));
    hist.set(latency, (hist.get(latency) ?? 0) + 1);
    if ((completion.get(v.id) ?? -1) < latency) completion.set(v.id, latency);
    results.push({ id: v.id, outcome: 'accepted', seq: ++c.seq });
  }
  return { results };
}

async function call(c: City, m: Call): Promise<unknown> {
  const path = m.params?.path;
  const input = m.params?.input as Record<string, unknown> | undefined;
  try {
    if (path === 'federation.deliver') return answer(m.id, await deliver(c, input?.objects));
    if (path === 'federation.offerRoster') {
      const v = await verifyOnce(String(input?.jws), ['roster']);
      if (!v.ok) return failure(m.id, 'BAD_REQUEST', 400, `roster refused: ${v.reason}`);
      return answer(m.id, { adopted: true, version: (v.object.body as { version: number }).version });
    }
    return failure(m.id, 'NOT_FOUND', 404, `${path} is not simulated here`);
  } catch (err) {
    return failure(m.id, 'BAD_REQUEST', 400, (err as Error).message);
  }
}

function serveLink(ws: WebSocket, city: string, c: City): void {
  let authed = false;
  ws.on('message', async (raw) => {
    const text = raw.toString();
    if (text === 'PING') return ws.send('PONG');
    if (text === 'PONG') return;
    const parsed = JSON.parse(text) as Call | Call[] | { method: 'connectionParams'; data?: { peer?: string } };
    if (!Array.isArray(parsed) && parsed.method === 'connectionParams') {
      const token = (parsed as { data?: { peer?: string } }).data?.peer;
      const checked = await verifyRequestToken(token, {
        audience: city,
        scope: 'federation.link',
        resolveKey: ring.resolve,
        replay,
      });
      if (!checked.ok || checked.issuer !== init.hub) {
        refused++;
        ws.close(4401, 'link token refused');
        return;
      }
      authed = true;
      links++;
      maxLinks = Math.max(maxLinks, links);
      ws.once('close', () => links--);
      return;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed as Call];
    const answers = await Promise.all(
      calls.map((m) => (authed ? call(c, m) : failure(m.id, 'UNAUTHORIZED', 401, 'no link token'))),
    );
    ws.send(JSON.stringify(answers.length === 1 ? answers[0] : answers));
  });
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 7 * 1024 * 1024 });
const server = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  const city = new URL(req.url ?? '/', 'http://x').pathname.split('/')[1] ?? '';
  const c = cities.get(city);
  if (!c) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => serveLink(ws, city, c));
});
server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'report') process.send!({ type: 'report', received, links, maxLinks, refused });
  if (m.type === 'latencies') {
    process.send!({ type: 'latencies', hist: [...hist], completion: [...completion] });
  }
});
process.on('disconnect', () => process.exit(0));
