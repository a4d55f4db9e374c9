import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/index.js';

/** A write whose completion the test controls, recording the jobs of each call. */
function controlledWrite() {
  const calls: string[][] = [];
  const finish: ((fail?: Error) => void)[] = [];
  const write = (jobs: readonly string[]) => {
    calls.push([...jobs]);
    return new Promise<string[]>((resolve, reject) => {
      finish.push((fail) => (fail ? reject(fail) : resolve(jobs.map((j) => `done ${j}`))));
    });
  };
  return { calls, finish, write };
}

describe('GroupCommit', () => {
  it('writes a lone job at once and jobs submitted meanwhile together in the next write', async () => {
    const w = controlledWrite();
    const group = new GroupCommit(w.write);
    const a = group.submit('a');
    const b = group.submit('b');
    const c = group.submit('c');
    expect(w.calls).toEqual([['a']]);
    w.finish[0]!();
    expect(await a).toBe('done a');
    await expect.poll(() => w.calls).toEqual([['a'], ['b', 'c']]);
    w.finish[1]!();
    expect(await Promise.all([b, c])).toEqual(['done b', 'done c']);
  });

  it('fails a lone job whose write failed, and later jobs are written normally', async () => {
    const w = controlledWrite();
    const group = new GroupCommit(w.write);
    const a = group.submit('a');
    w.finish[0]!(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    const b = group.submit('b');
    expect(w.calls).toEqual([['a'], ['b']]);
    w.finish[1]!();
    expect(await b).toBe('done b');
  });

  it('after a failed group write, writes each job alone so only the failing one fails', async () => {
    const w = controlledWrite();
    const group = new GroupCommit(w.write);
    const a = group.submit('a');
    const b = group.submit('b');
    const c = group.submit('c');
    w.finish[0]!();
    await a;
    await expect.poll(() => w.calls.length).toBe(2);
    w.finish[1]!(new Error('constraint failed (b)'));
    await expect.poll(() => w.calls.length).toBe(3);
    w.finish[2]!(new Error('constraint failed (b)'));
    await expect(b).rejects.toThrow('constraint failed (b)');
    await expect.poll(() => w.calls.length).toBe(4);
    w.finish[3]!();
    expect(await c).toBe('done c');
    expect(w.calls).toEqual([['a'], ['b', 'c'], ['b'], ['c']]);
  });
});
