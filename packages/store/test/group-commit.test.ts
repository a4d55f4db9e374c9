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

  it('fails every job of a failed write, and later jobs are written normally', async () => {
    const w = controlledWrite();
    const group = new GroupCommit(w.write);
    const a = group.submit('a');
    const b = group.submit('b');
    const c = group.submit('c');
    w.finish[0]!();
    await a;
    await expect.poll(() => w.calls.length).toBe(2);
    w.finish[1]!(new Error('disk full'));
    await expect(b).rejects.toThrow('disk full');
    await expect(c).rejects.toThrow('disk full');
    const d = group.submit('d');
    await expect.poll(() => w.calls).toEqual([['a'], ['b', 'c'], ['d']]);
    w.finish[2]!();
    expect(await d).toBe('done d');
  });
});
