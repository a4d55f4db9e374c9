import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canForward,
  canForwardResponse,
  EVERYONE,
  isMarkingChangeAllowed,
  isPublic,
  isPublicResponse,
  type Marked,
  mayDisplay,
  mayDisplayResponse,
  mayReceive,
  responseMarking,
  responseMarkingError,
  sharesWithNetwork,
  TLP_LEVELS,
  type Tlp,
  tlpRank,
  withAuthorNamed,
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
const authored = withAuthorNamed(red as Marked & { audience: string[] }, { node: ORIGIN, user: 'carol' });

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
    ['RED: someone at the origin not named (the author city mayor)', red, { node: ORIGIN, user: 'mayor' }, false],
    ['RED: its author, named by withAuthorNamed', authored, { node: ORIGIN, user: 'carol' }, true],
    ["RED: the author's colleague at the origin", authored, { node: ORIGIN, user: 'mayor' }, false],
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

describe('responses', () => {
  /** RED by carol at the origin for ann at ALPHA; BETA is in the audience without a recipient. */
  const redTarget = withAuthorNamed(red as Marked & { audience: string[] }, { node: ORIGIN, user: 'carol' });
  const answer = (responder: string, target: Marked): Marked => ({
    origin: responder,
    ...responseMarking(target, responder),
  });

  it('names the author of a RED object among its recipients, and changes nothing else', () => {
    expect(redTarget.recipients).toEqual([
      { node: ALPHA, user: 'ann' },
      { node: ORIGIN, user: 'carol' },
    ]);
    expect(redTarget.audience).toEqual([ALPHA, BETA, ORIGIN]);
    for (const n of NODES) expect(mayReceive(redTarget, n)).toBe(mayReceive(red, n));
    const green = marked('GREEN', ['*']);
    expect(withAuthorNamed(green as Marked & { audience: string[] }, { node: ORIGIN, user: 'carol' })).toBe(green);
  });

  it('answers RED with RED for exactly the named recipients', () => {
    const ack = answer(ALPHA, redTarget);
    expect(ack).toEqual({ origin: ALPHA, tlp: 'RED', audience: [ALPHA, ORIGIN], recipients: redTarget.recipients });
    expect(NODES.filter((n) => mayReceive(ack, n))).toEqual([ORIGIN, ALPHA]);
    expect(responseMarkingError(ack, redTarget)).toBeUndefined();
  });

  it('answers AMBER to its origin and audience, and "*" to the whole network', () => {
    expect(answer(ALPHA, marked('AMBER', [ALPHA, BETA]))).toEqual({
      origin: ALPHA,
      tlp: 'AMBER',
      audience: [BETA, ORIGIN],
    });
    expect(answer(ALPHA, marked('GREEN', ['*']))).toEqual({ origin: ALPHA, tlp: 'GREEN', audience: ['*'] });
  });

  const refusals: [string, Marked, RegExp][] = [
    ['an answer from a node that may not hold the target', answer(BETA, redTarget), /may not hold/],
    ['AMBER+STRICT for RED', { origin: ALPHA, tlp: 'AMBER+STRICT', audience: [ORIGIN] }, /looser/],
    [
      'RED to an audience node without a recipient',
      { origin: ALPHA, tlp: 'RED', audience: [ORIGIN, BETA], recipients: [{ node: ORIGIN, user: 'carol' }] },
      /addressed to wi-milwaukee/,
    ],
    [
      'RED naming a colleague of the recipient',
      {
        origin: ALPHA,
        tlp: 'RED',
        audience: [ALPHA, ORIGIN],
        recipients: [
          { node: ALPHA, user: 'bob' },
          { node: ORIGIN, user: 'carol' },
        ],
      },
      /names bob@wi-green-bay/,
    ],
    [
      "RED naming the author's colleague at the origin",
      {
        origin: ALPHA,
        tlp: 'RED',
        audience: [ALPHA, ORIGIN],
        recipients: [
          { node: ALPHA, user: 'ann' },
          { node: ORIGIN, user: 'dave' },
        ],
      },
      /names dave@wi-madison/,
    ],
  ];
  it.each(refusals)('refuses %s', (_name, response, why) => {
    expect(responseMarkingError(response, redTarget)).toMatch(why);
  });

  it('refuses "*" for a target that is not for the whole network', () => {
    const target = marked('GREEN', [ALPHA]);
    expect(responseMarkingError({ origin: ALPHA, tlp: 'GREEN', audience: ['*'] }, target)).toMatch(/whole network/);
  });

  it('shows an answer only to people who may see the target (and it)', () => {
    const ack = answer(ALPHA, redTarget);
    const shown = (viewer: { node: string; user: string }) => mayDisplayResponse(ack, redTarget, viewer);
    expect(shown({ node: ALPHA, user: 'ann' })).toBe(true);
    expect(shown({ node: ORIGIN, user: 'carol' })).toBe(true);
    // The author's colleague at the origin sees neither the RED target nor its answers.
    expect(shown({ node: ORIGIN, user: 'dave' })).toBe(false);
    // The responder's node is the answer's origin, but a colleague there is not named on it either.
    expect(mayDisplay(ack, { node: ALPHA, user: 'bob' })).toBe(false);
    expect(shown({ node: ALPHA, user: 'bob' })).toBe(false);
    expect(shown({ node: BETA, user: 'bob' })).toBe(false);
    expect(mayDisplayResponse(ack, undefined, { node: ALPHA, user: 'ann' })).toBe(false);
  });

  it('passes an answer only to nodes that may receive the target', () => {
    // An AMBER answer that slipped in before its RED target arrived is not passed to BETA.
    const loose: Marked = { origin: ALPHA, tlp: 'AMBER', audience: [ORIGIN, BETA] };
    expect(canForward(loose, ALPHA, BETA)).toBe(true);
    expect(canForwardResponse(loose, redTarget, ALPHA, BETA)).toBe(false);
    expect(canForwardResponse(loose, redTarget, ALPHA, ORIGIN)).toBe(true);
    expect(canForwardResponse(loose, undefined, ALPHA, BETA)).toBe(true);
  });

  it('is public only as a CLEAR answer to a CLEAR target', () => {
    expect(isPublicResponse({ tlp: 'CLEAR' }, { tlp: 'CLEAR' })).toBe(true);
    expect(isPublicResponse({ tlp: 'CLEAR' }, { tlp: 'RED' })).toBe(false);
    expect(isPublicResponse({ tlp: 'CLEAR' }, undefined)).toBe(false);
    expect(isPublicResponse({ tlp: 'GREEN' }, { tlp: 'CLEAR' })).toBe(false);
  });

  const node = fc.constantFrom(...NODES);
  const targetArb: fc.Arbitrary<Marked> = fc.record({
    origin: node,
    tlp: fc.constantFrom(...LEAST_TO_MOST_STRICT),
    audience: fc.subarray([...NODES, EVERYONE]),
    recipients: fc.option(
      fc.array(fc.record({ node, user: fc.constantFrom('ann', 'bob') }), { minLength: 1, maxLength: 4 }),
      { nil: undefined },
    ),
  });

  it('builds answers that are accepted and reach nobody the target does not', () => {
    fc.assert(
      fc.property(targetArb, node, (target, responder) => {
        fc.pre(mayReceive(target, responder));
        const response = answer(responder, target);
        for (const n of NODES) if (mayReceive(response, n)) expect(mayReceive(target, n)).toBe(true);
        if (target.tlp !== 'RED') expect(response.tlp).toBe(target.tlp);
        else expect(responseMarkingError(response, target)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('never shows an answer to someone who may not see its target', () => {
    fc.assert(
      fc.property(targetArb, targetArb, node, fc.constantFrom('ann', 'bob'), (target, response, n, user) => {
        if (mayDisplayResponse(response, target, { node: n, user })) {
          expect(mayDisplay(target, { node: n, user })).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
