import { readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The diff bomb: a hostile originator publishes two ~99 KB revisions with nothing
 * in common. Every invited city's console asks for their word diff when the
 * statement page opens; unbounded, that froze the node for ~22 s.
 */

const hostileText = (prefix: string) => {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < 99_000; i++) {
    const w = `${prefix}${i.toString(36)}`;
    words.push(w);
    length += w.length + 1;
  }
  return words.join(' ').slice(0, 99_000).trim();
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('the diff bomb', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 2 });
  });
  afterAll(() => net?.close());

  it('a statement page with two hostile revisions answers in < 1 s and does not stall federation', async () => {
    const [hostile, victim] = net.cities as [(typeof net.cities)[0], (typeof net.cities)[0]];
    const originator = await net.login(hostile, 'mayor');
    const { id } = await originator.statements.create.mutate({
      title: 'Nothing in common',
      text: hostileText('a'),
      addressees: ['Governor'],
      invited: [victim.id],
      includeHub: false,
    });
    await originator.statements.revise.mutate({ id, text: hostileText('b') });
    await net.processAll();

    // One federation delivery to the victim (a new bulletin each time, so every one is stored).
    const key = await readKeyFile(net.configOf(hostile.id).keyFile);
    let n = 0;
    const deliverOne = async () => {
      const { jws } = await signObject(
        {
          v: 1,
          kind: 'bulletin',
          origin: hostile.id,
          created: new Date().toISOString(),
          tlp: 'GREEN',
          audience: [victim.id],
          body: {
            title: `Probe ${n++}`,
            narrative: 'A delivery timed while the page loads.',
            category: 'cyber.phishing',
            severity: 'low',
          },
        } as SignedObject,
        key,
      );
      const t0 = performance.now();
      const { results } = await hostile.peer(victim.id)!.federation.deliver.mutate({ objects: [jws] });
      const ms = performance.now() - t0;
      expect(results[0]).toMatchObject({ outcome: 'accepted' });
      return ms;
    };
    await deliverOne(); // warm-up: the link and the request token
    const idle: number[] = [];
    for (let i = 0; i < 7; i++) idle.push(await deliverOne());

    // The statement page as the console loads it: the statement, then the diff of its last two revisions.
    const reader = await net.login(victim, 'staff');
    const openPage = async (probe = false) => {
      const t0 = performance.now();
      const s = await reader.statements.get.query({ id });
      const [from, to] = s.revisions.slice(-2).map((r) => r.id) as [string, string];
      let answered = false;
      const diff = reader.statements.diff.query({ id, from, to }).finally(() => {
        answered = true;
      });
      // Deliveries one after another for as long as the diff is being computed (at most 20).
      const deliveries: number[] = [];
      while (probe && !answered && deliveries.length < 20) deliveries.push(await deliverOne());
      return { diff: await diff, ms: performance.now() - t0, deliveries };
    };
    const page = await openPage(true);

    expect(page.ms).toBeLessThan(1_000);
    expect(page.diff.wordByWord).toBe(false);
    expect(page.diff.parts.map((p) => p.change)).toEqual(['removed', 'added']);
    // The diff runs off the event loop: a delivery made meanwhile is not held up behind it
    // (unbounded, on the event loop, it waited the whole ~22 s).
    expect(page.deliveries.length).toBeGreaterThan(0);
    expect(median(page.deliveries) / median(idle)).toBeLessThan(10);

    // Opened again (every invited city's console does, every 10 s): the cached answer.
    const again = await openPage();
    expect(again.ms).toBeLessThan(page.ms);
    expect(again.diff).toEqual(page.diff);
  });
});
