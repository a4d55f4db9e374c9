import { afterAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../src/errors.js';
import { DIFF_BOUNDS, RevisionDiffs } from '../src/statements/word-diff.js';

const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

describe('RevisionDiffs', () => {
  const diffs = new RevisionDiffs();
  afterAll(() => diffs.close());

  it('diffs similar revisions word by word', async () => {
    const d = await diffs.between(
      { id: 'r1', text: 'We ask the Legislature to fund election security.' },
      { id: 'r2', text: 'We ask the Legislature to fully fund election security.' },
    );
    expect(d.wordByWord).toBe(true);
    expect(d.parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toEqual(['fully']);
  });

  it('answers "too different" for two large revisions with nothing in common, once per pair', async () => {
    const a = { id: 'big-a', text: words('a', 12_000) };
    const b = { id: 'big-b', text: words('b', 12_000) };
    const [first, concurrent] = await Promise.all([diffs.between(a, b), diffs.between(a, b)]);
    expect(first.wordByWord).toBe(false);
    expect(first.parts).toEqual([
      { text: a.text, change: 'removed' },
      { text: b.text, change: 'added' },
    ]);
    expect(concurrent).toBe(first);
    expect(await diffs.between(a, b)).toBe(first);
  });

  it('refuses more distinct pairs in flight than its bound instead of queueing them all', async () => {
    const pairs = Array.from({ length: DIFF_BOUNDS.maxQueued + 1 }, (_, i) => [
      { id: `q${i}-a`, text: words(`e${i}x`, 3_000) },
      { id: `q${i}-b`, text: words(`f${i}x`, 3_000) },
    ]);
    const outcomes = await Promise.allSettled(pairs.map(([a, b]) => diffs.between(a!, b!)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(DIFF_BOUNDS.maxQueued);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(RateLimitedError);
  });

  it('keeps the event loop free while it works', async () => {
    const a = { id: 'loop-a', text: words('c', 12_000) };
    const b = { id: 'loop-b', text: words('d', 12_000) };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await diffs.between(a, b);
    } finally {
      clearInterval(timer);
    }
    // The diff takes its full time bound (~200 ms) in the worker; the timer keeps firing meanwhile.
    expect(ticks).toBeGreaterThan(5);
  });
});
