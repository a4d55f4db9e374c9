import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canForward,
  EVERYONE,
  isMarkingChangeAllowed,
  isPublic,
  type Marked,
  mayDisplay,
  mayReceive,
  sharesWithNetwork,
  TLP_LEVELS,
  type Tlp,
  tlpRank,
} from './tlp.js';

const ORIGIN = 'wi-madison';
const ALPHA = 'wi-green-bay';
const BETA = 'wi-milwaukee';
const OUTSIDER = 'wi-kenosha';
const NODES = [ORIGIN, ALPHA, BETA, OUTSIDER];

/** TLP 2.0 levels from least to most restrictive, written out independently of TLP_LEVELS. */
const LEAST_TO_MOST_STRICT: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const NETWORK_LEVELS: Tlp[] = ['CLEAR', 'GREEN'];
const RESTRICTED_LEVELS: Tlp[] = ['AMBER', 'AMBER+STRICT', 'RED'];

const marked = (tlp: Tlp, audience: string[], recipients?: Marked['recipients']): Marked => ({
  origin: ORIGIN,
  tlp,
  audience,
  recipients,
});

/** RED for ann at ALPHA; BETA is in the audience but hosts no named recipient. */
const red = marked('RED', [ALPHA, BETA], [{ node: ALPHA, user: 'ann' }]);

describe('TLP levels', () => {
  it('are the five TLP 2.0 levels, least restrictive first', () => {
    expect([...TLP_LEVELS]).toEqual(LEAST_TO_MOST_STRICT);
    expect(LEAST_TO_MOST_STRICT.map(tlpRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it.each(LEAST_TO_MOST_STRICT.map((tlp) => [tlp, tlp === 'CLEAR' || tlp === 'GREEN']))(
    '%s shares with the whole network: %s',
    (tlp, expected) => {
      expect(sharesWithNetwork(tlp as Tlp)).toBe(expected);
    },
  );

  it('uses "*" for the whole network', () => {
    expect(EVERYONE).toBe('*');
  });
});

describe('mayReceive', () => {
  const cases: [string, Marked, string[]][] = [
    ['CLEAR to "*"', marked('CLEAR', ['*']), NODES],
    ['GREEN to "*"', marked('GREEN', ['*']), NODES],
    ['AMBER to "*" (invalid marking)', marked('AMBER', ['*']), [ORIGIN]],
    ['AMBER+STRICT to "*" (invalid marking)', marked('AMBER+STRICT', ['*']), [ORIGIN]],
    ['RED to "*" (invalid marking)', marked('RED', ['*'], [{ node: ALPHA, user: 'ann' }]), [ORIGIN]],
    ['CLEAR to named nodes', marked('CLEAR', [ALPHA, BETA]), [ORIGIN, ALPHA, BETA]],
    ['GREEN to named nodes', marked('GREEN', [ALPHA, BETA]), [ORIGIN, ALPHA, BETA]],
    ['AMBER to named nodes', marked('AMBER', [ALPHA, BETA]), [ORIGIN, ALPHA, BETA]],
    ['AMBER+STRICT to named nodes', marked('AMBER+STRICT', [ALPHA, BETA]), [ORIGIN, ALPHA, BETA]],
    ['RED to a named recipient', red, [ORIGIN, ALPHA]],
    [
      'RED with recipients at both nodes',
      marked(
        'RED',
        [ALPHA, BETA],
        [
          { node: ALPHA, user: 'ann' },
          { node: BETA, user: 'bob' },
        ],
      ),
      [ORIGIN, ALPHA, BETA],
    ],
    ['RED without recipients', marked('RED', [ALPHA, BETA]), [ORIGIN]],
    ['RED to a recipient outside the audience', marked('RED', [BETA], [{ node: ALPHA, user: 'ann' }]), [ORIGIN]],
    ...LEAST_TO_MOST_STRICT.map((tlp): [string, Marked, string[]] => [`${tlp} to nobody`, marked(tlp, []), [ORIGIN]]),
  ];

  describe.each(cases)('%s', (_name, obj, receivers) => {
    it.each(NODES)(`node %s`, (node) => {
      expect(mayReceive(obj, node)).toBe(receivers.includes(node));
    });
  });

  it('lets the origin receive whatever the marking', () => {
    for (const tlp of LEAST_TO_MOST_STRICT) expect(mayReceive(marked(tlp, []), ORIGIN)).toBe(true);
  });
});

describe('canForward', () => {
  const cases: [string, Marked, string, string, boolean][] = [
    ...NETWORK_LEVELS.flatMap((tlp): [string, Marked, string, string, boolean][] => [
      [`${tlp} "*": origin to a member`, marked(tlp, ['*']), ORIGIN, ALPHA, true],
      [`${tlp} "*": member to member`, marked(tlp, ['*']), ALPHA, BETA, true],
      [`${tlp} "*": member to any node`, marked(tlp, ['*']), ALPHA, OUTSIDER, true],
      [`${tlp} "*": member back to origin`, marked(tlp, ['*']), ALPHA, ORIGIN, true],
      [`${tlp} "*": to itself`, marked(tlp, ['*']), ALPHA, ALPHA, false],
      [`${tlp} named: member to member in audience`, marked(tlp, [ALPHA, BETA]), ALPHA, BETA, true],
      [`${tlp} named: member outside the audience`, marked(tlp, [ALPHA, BETA]), ALPHA, OUTSIDER, false],
      [`${tlp} named: origin outside the audience`, marked(tlp, [ALPHA, BETA]), ORIGIN, OUTSIDER, false],
    ]),
    ...(['AMBER', 'AMBER+STRICT'] as Tlp[]).flatMap((tlp): [string, Marked, string, string, boolean][] => [
      [`${tlp}: origin to a named node`, marked(tlp, [ALPHA, BETA]), ORIGIN, ALPHA, true],
      [`${tlp}: origin to another named node`, marked(tlp, [ALPHA, BETA]), ORIGIN, BETA, true],
      [`${tlp}: origin to an unnamed node`, marked(tlp, [ALPHA, BETA]), ORIGIN, OUTSIDER, false],
      [`${tlp}: holder to a named node`, marked(tlp, [ALPHA, BETA]), ALPHA, BETA, false],
      [`${tlp}: holder back to origin (restoring the author)`, marked(tlp, [ALPHA, BETA]), ALPHA, ORIGIN, true],
      [`${tlp}: holder to an unnamed node`, marked(tlp, [ALPHA, BETA]), ALPHA, OUTSIDER, false],
    ]),
    ['RED: origin to the recipient node', red, ORIGIN, ALPHA, true],
    ['RED: origin to an audience node without a recipient', red, ORIGIN, BETA, false],
    ['RED: holder to another audience node', red, ALPHA, BETA, false],
    ['RED: holder back to origin (restoring the author)', red, ALPHA, ORIGIN, true],
    ...LEAST_TO_MOST_STRICT.map((tlp): [string, Marked, string, string, boolean] => [
      `${tlp} to nobody: origin to a node`,
      marked(tlp, []),
      ORIGIN,
      ALPHA,
      false,
    ]),
  ];

  it.each(cases)('%s (%s -> %s): %s', (_name, obj, holder, target, expected) => {
    expect(canForward(obj, holder, target)).toBe(expected);
  });
});

describe('mayDisplay', () => {
  const cases: [string, Marked, { node: string; user: string }, boolean][] = [
    ['RED: the named recipient', red, { node: ALPHA, user: 'ann' }, true],
    ['RED: a colleague of the recipient', red, { node: ALPHA, user: 'bob' }, false],
    ['RED: the recipient name at another audience node', red, { node: BETA, user: 'ann' }, false],
    ['RED: anyone at the origin node', red, { node: ORIGIN, user: 'carol' }, true],
    ['RED: an outsider', red, { node: OUTSIDER, user: 'ann' }, false],
    ...(['AMBER', 'AMBER+STRICT'] as Tlp[]).flatMap(
      (tlp): [string, Marked, { node: string; user: string }, boolean][] => [
        [`${tlp}: anyone at a named node`, marked(tlp, [ALPHA]), { node: ALPHA, user: 'bob' }, true],
        [`${tlp}: anyone at the origin`, marked(tlp, [ALPHA]), { node: ORIGIN, user: 'carol' }, true],
        [`${tlp}: someone at an unnamed node`, marked(tlp, [ALPHA]), { node: BETA, user: 'bob' }, false],
      ],
    ),
    ...NETWORK_LEVELS.flatMap((tlp): [string, Marked, { node: string; user: string }, boolean][] => [
      [`${tlp} "*": anyone at any node`, marked(tlp, ['*']), { node: OUTSIDER, user: 'dave' }, true],
      [`${tlp} to nobody: someone elsewhere`, marked(tlp, []), { node: ALPHA, user: 'bob' }, false],
    ]),
  ];

  it.each(cases)('%s', (_name, obj, viewer, expected) => {
    expect(mayDisplay(obj, viewer)).toBe(expected);
  });
});

describe('isPublic', () => {
  it.each(LEAST_TO_MOST_STRICT.map((tlp) => [tlp, tlp === 'CLEAR']))('%s is public: %s', (tlp, expected) => {
    expect(isPublic({ tlp: tlp as Tlp })).toBe(expected);
  });
});

describe('isMarkingChangeAllowed', () => {
  const pairs = LEAST_TO_MOST_STRICT.flatMap((from, i) =>
    LEAST_TO_MOST_STRICT.map((to, j) => ({ from, to, tightensOrKeeps: j >= i })),
  );

  it.each(pairs)('$from -> $to by the originator: allowed', ({ from, to }) => {
    expect(isMarkingChangeAllowed(from, to, true)).toBe(true);
  });

  it.each(pairs)(
    '$from -> $to by anyone else: allowed only when tightening ($tightensOrKeeps)',
    ({ from, to, tightensOrKeeps }) => {
      expect(isMarkingChangeAllowed(from, to, false)).toBe(tightensOrKeeps);
    },
  );

  it('spot checks', () => {
    expect(isMarkingChangeAllowed('GREEN', 'AMBER', false)).toBe(true);
    expect(isMarkingChangeAllowed('AMBER', 'AMBER+STRICT', false)).toBe(true);
    expect(isMarkingChangeAllowed('AMBER+STRICT', 'AMBER', false)).toBe(false);
    expect(isMarkingChangeAllowed('RED', 'CLEAR', false)).toBe(false);
    expect(isMarkingChangeAllowed('RED', 'CLEAR', true)).toBe(true);
  });
});

describe('forwarding properties', () => {
  const node = fc.constantFrom(...NODES);
  const markedArb: fc.Arbitrary<Marked> = fc.record({
    origin: node,
    tlp: fc.constantFrom(...LEAST_TO_MOST_STRICT),
    audience: fc.subarray([...NODES, EVERYONE]),
    recipients: fc.option(
      fc.array(fc.record({ node, user: fc.constantFrom('ann', 'bob') }), { minLength: 1, maxLength: 4 }),
      { nil: undefined },
    ),
  });

  it('never forwards to a node that may not receive, nor to the holder itself', () => {
    fc.assert(
      fc.property(markedArb, node, node, (obj, holder, target) => {
        if (canForward(obj, holder, target)) {
          expect(mayReceive(obj, target)).toBe(true);
          expect(target).not.toBe(holder);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets a non-originator forward AMBER, AMBER+STRICT or RED to a third node', () => {
    fc.assert(
      fc.property(markedArb, node, node, (obj, holder, target) => {
        fc.pre(holder !== obj.origin && target !== obj.origin && RESTRICTED_LEVELS.includes(obj.tlp));
        expect(canForward(obj, holder, target)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('lets the origin deliver to every other node that may receive', () => {
    fc.assert(
      fc.property(markedArb, node, (obj, target) => {
        fc.pre(target !== obj.origin);
        expect(canForward(obj, obj.origin, target)).toBe(mayReceive(obj, target));
      }),
      { numRuns: 1000 },
    );
  });

  it('never displays to a person whose node may not receive', () => {
    fc.assert(
      fc.property(markedArb, node, fc.constantFrom('ann', 'bob'), (obj, viewerNode, user) => {
        if (mayDisplay(obj, { node: viewerNode, user })) expect(mayReceive(obj, viewerNode)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
