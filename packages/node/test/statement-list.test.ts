import { TestNetwork } from '@citylink/dev-env';
import type { SessionUser } from '@citylink/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const mayor: SessionUser = { id: 1, username: 'mayor', displayName: 'Mayor', roles: ['signer', 'staff'] };
const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

describe('statements.list reads a read model kept as objects arrive', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 3, users: false });
  });
  afterAll(() => net?.close());
  const city = (i: number) => net.cities[i - 1]!;

  it('follows new statements and signatures, and folds only what changed', async () => {
    const draft = {
      title: 'Audits',
      text: 'We ask for audits.',
      addressees: ['Governor'],
      invited: ['t-city-2'],
      includeHub: false,
    };
    const { id: a } = await city(1).statements.create(draft, mayor);
    const { id: b } = await city(1).statements.create({ ...draft, title: 'Paper ballots' }, mayor);
    const first = await city(1).statements.list(mayor);
    expect(first.map((s) => [s.id, s.phase, s.signed]).sort()).toEqual(
      [
        [a, 'draft', 0],
        [b, 'draft', 0],
      ].sort(),
    );
    // Newest first.
    expect(first[0]!.created >= first[1]!.created).toBe(true);

    await city(1).statements.openSignOn(a, { deadline: inADay() }, mayor);
    await city(1).statements.sign(a, { name: 'Alex Mayor', title: 'Mayor' }, mayor);
    const fold = vi.spyOn(city(1).statements, 'state');
    const listed = await city(1).statements.list(mayor);
    // The originator signs too: "1 signed of 2 cities", never more signed than cities.
    expect(listed.find((s) => s.id === a)).toMatchObject({ phase: 'sign-on open', signed: 1, invited: 1, cities: 2 });
    // Only the statement that received objects was folded again.
    expect(fold.mock.calls.map(([id]) => id)).toEqual([a]);

    fold.mockClear();
    await city(1).statements.list(mayor);
    expect(fold).not.toHaveBeenCalled();
    fold.mockRestore();
  });

  it('is filtered for the viewer: a city that was not invited lists nothing of it', async () => {
    await net.processAll();
    expect((await city(2).statements.list(mayor)).length).toBeGreaterThan(0);
    expect(await city(3).statements.list(mayor)).toEqual([]);
  });

  it('folds every statement again once the roster changes (signature validity depends on keys)', async () => {
    const fold = vi.spyOn(city(1).statements, 'state');
    await net.hub.publishMembers([{ ...net.hub.roster.member('t-city-3')!, name: 'Renamed City' }], 'test');
    await net.syncAll();
    await city(1).statements.list(mayor);
    expect(new Set(fold.mock.calls.map(([id]) => id)).size).toBe(2);
    fold.mockRestore();
  });

  it('after a restart folds every statement again: objects taken in since the last list are not lost', async () => {
    const draft = {
      title: 'Restart',
      text: 'We ask for audits.',
      addressees: ['Governor'],
      invited: ['t-city-2'],
      includeHub: false,
    };
    const { id } = await city(1).statements.create(draft, mayor);
    expect((await city(1).statements.list(mayor)).find((s) => s.id === id)?.signed).toBe(0);
    await city(1).statements.openSignOn(id, { deadline: inADay() }, mayor);
    await city(1).statements.sign(id, { name: 'Alex Mayor', title: 'Mayor' }, mayor);
    // Restarted before any list saw the signature: the bus event is gone, the table row is old.
    await net.stop('t-city-1');
    const again = await net.restart('t-city-1');
    expect((await again.statements.list(mayor)).find((s) => s.id === id)).toMatchObject({
      phase: 'sign-on open',
      signed: 1,
    });
  });

  it('forgets appended ids past a bound and then folds every statement instead', async () => {
    await city(1).statements.list(mayor);
    const fold = vi.spyOn(city(1).statements, 'state');
    // More statement appends than it remembers, none of them held (ids nobody can look up).
    city(1).bus.emit(
      'appended',
      Array.from({ length: 10_001 }, (_, i) => ({ seq: 0, id: `x${i}`, kind: 'statement-comment' })),
    );
    const listed = await city(1).statements.list(mayor);
    expect(new Set(fold.mock.calls.map(([id]) => id))).toEqual(new Set(listed.map((s) => s.id)));
    fold.mockRestore();
  });
});
