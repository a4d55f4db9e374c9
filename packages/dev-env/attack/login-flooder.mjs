// The anonymous flooder of login-flood.attack.test.ts, in a process of its own (an
// attacker does not share the nodes' event loop). Side by side, without pause, it
// sends one node the hostile sign-in payloads: HTTP batches of 1,200 and 50
// sign-ins, WebSocket frames of 4,000 and 50, and single sign-ins on four streams,
// each stream sending its next payload `gapMs` after the answer to the last. It
// stops when told to over IPC, or at its own bounds (time, calls sent), whichever
// comes first, then sends its tally to the parent and exits. 'pause' and 'resume'
// hold and restart the streams (the test interleaves idle and flooded
// measurements). Loopback only.
import { setPriority } from 'node:os';
import WebSocket from 'ws';

const [baseUrl, maxMsArg, maxCallsArg, gapMsArg] = process.argv.slice(2);
if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(baseUrl ?? '')) {
  console.error(`login-flooder: refusing target ${baseUrl} (loopback only)`);
  process.exit(2);
}
// The attacker's own CPU is not the node's: on one shared machine, it gives way.
setPriority(19);
const deadline = Date.now() + Number(maxMsArg ?? 60_000);
const maxCalls = Number(maxCallsArg ?? 500_000);
const gapMs = Number(gapMsArg ?? 50);
const SINGLES = 4;
/** Calls sent, answers by outcome, sockets the node cut, payloads sent and answered (ticks). */
const tally = { sent: 0, calls: 0, refused: {}, signedIn: 0, socketsCut: 0, ticks: 0 };
let stop = false;
let paused = false;
process.on('message', (m) => {
  if (m === 'stop') stop = true;
  if (m === 'pause') paused = true;
  if (m === 'resume') paused = false;
});
const progress = setInterval(() => process.send?.({ progress: tally.sent, ticks: tally.ticks }), 100);
const going = () => !stop && Date.now() < deadline && tally.sent < maxCalls;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let n = 0;
const login = () => {
  n++;
  return { username: `user${n % 97}`, password: `guess-${n}-wrong`, bearer: true };
};

function count(a) {
  tally.calls++;
  if (a?.result) tally.signedIn++;
  else {
    const code = a?.error?.data?.code ?? 'unknown';
    tally.refused[code] = (tally.refused[code] ?? 0) + 1;
  }
}

/** The payloads are built once: the flooder spends its CPU sending, not serializing. */
const httpPayloads = new Map();
function httpPayload(size) {
  let p = httpPayloads.get(size);
  if (!p) {
    const inputs = Array.from({ length: size }, login);
    const batch = size > 1;
    p = {
      url: `${baseUrl}/trpc/${inputs.map(() => 'staff.login').join(',')}${batch ? '?batch=1' : ''}`,
      body: JSON.stringify(batch ? Object.fromEntries(inputs.map((x, i) => [i, x])) : inputs[0]),
    };
    if (size > 1) httpPayloads.set(size, p);
  }
  return p;
}

async function httpLogins(size) {
  const { url, body } = httpPayload(size);
  tally.sent += size;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const answers = await res.json();
  for (const a of Array.isArray(answers) ? answers : [answers]) count(a);
}

const frames = new Map();
let frameId = 1;
function framePayload(size) {
  if (!frames.has(size)) {
    const calls = Array.from({ length: size }, () => ({
      id: frameId++,
      method: 'mutation',
      params: { path: 'staff.login', input: login() },
    }));
    frames.set(size, JSON.stringify(calls));
  }
  return frames.get(size);
}

/** A socket that sends frames of sign-ins; reopened when the node closes it (it never authenticates). */
function flooderSocket() {
  let ws;
  let waiting = 0;
  let drained = () => undefined;
  const open = async () => {
    ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/trpc`);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      tally.socketsCut++;
    });
    ws.on('message', (m) => {
      let msg;
      try {
        msg = JSON.parse(String(m));
      } catch {
        return; // tRPC's keep-alive PING
      }
      for (const a of Array.isArray(msg) ? msg : [msg]) {
        count(a);
        waiting--;
      }
      if (waiting <= 0) drained();
    });
    return new Promise((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
    });
  };
  return {
    async frame(size) {
      if (ws?.readyState !== WebSocket.OPEN && !(await open())) return;
      waiting = size;
      tally.sent += size;
      const done = new Promise((resolve) => {
        drained = resolve;
        ws.once('close', resolve);
      });
      ws.send(framePayload(size));
      await Promise.race([done, sleep(10_000)]);
    },
    close: () => ws?.terminate(),
  };
}

const swallow = () => undefined;
/**
 * One stream of payloads: sends, waits for the answer, waits `gapMs`, again. The
 * streams run side by side, so the flood is continuous rather than in bursts.
 */
async function stream(send) {
  for (let round = 0; going(); round++) {
    if (paused) {
      await sleep(5);
      continue;
    }
    await send(round).catch(swallow);
    tally.ticks++;
    await sleep(gapMs);
  }
}
const socket = flooderSocket();
await Promise.all([
  stream((round) => httpLogins(round % 2 === 0 ? 1_200 : 50)),
  stream((round) => socket.frame(round % 2 === 0 ? 4_000 : 50)),
  ...Array.from({ length: SINGLES }, () => stream(() => httpLogins(1))),
]);
socket.close();
clearInterval(progress);
process.send?.({ done: tally }, () => process.exit(0));
