/**
 * Test vectors of the eight preparedness kinds (docs/protocol/vectors/preparedness-objects.json),
 * each signed by the vector key, AMBER+STRICT for the hub alone (the default), plus the
 * security day published TLP:CLEAR. Built by vectors.ts with its key.
 */
import { canonicalJson, type SignedObject } from '@citylink/protocol';
import { type NodeKey, signObject } from '../src/index.js';

const BODIES: Record<string, unknown> = {
  commission: {
    chartered: '2026-01-10',
    members: { 'election-official': 2, cybersecurity: 1, 'computer-science': 1, 'voting-rights': 1, agency: 1 },
    meetings: ['2026-03-02', '2026-06-01', '2026-09-07'],
    lastReport: { date: '2026-09-30', recommendations: ['MFA for every clerk account', 'Quarterly phishing drills'] },
  },
  'contingency-plan': {
    scenario: 'machine-malfunction',
    title: 'Widespread pollbook or tabulator failure',
    coversElectionDay: true,
    coversEarlyVoting: true,
    ownerRole: 'City clerk',
    lastReviewed: '2026-08-15',
    lastExercised: { date: '2026-09-20', afterAction: 'Paper pollbooks reached every site within 40 minutes.' },
    plan: { text: 'Call the county within 15 minutes; switch every site to paper pollbooks; log every decision.' },
  },
  'training-summary': {
    period: { from: '2026-01-01', to: '2026-06-30' },
    course: 'Spear-phishing and account security',
    coversSpearPhishing: true,
    staffWithAccess: 24,
    trained: 23,
    officeMatesTrained: 6,
  },
  liaison: {
    role: 'Cybersecurity liaison',
    agency: 'City IT department',
    name: 'Sam Lee',
    workContact: 'security@cityofmadison.example',
  },
  forum: {
    date: '2026-10-06',
    with: 'Dane County clerk and municipal election officials',
    needs: ['Spare ballot printers', 'Faster DNS takedowns'],
    followUps: [{ what: 'Order two spare printers', owner: 'City clerk', due: '2026-10-20' }],
  },
  assessment: { provider: 'cisa', kind: 'vulnerability-scanning', date: '2026-05-12', openFindings: 3 },
  'funding-need': {
    item: 'Paper backup pollbook kits',
    amount: 42000,
    buys: 'Printed backup pollbooks and carriers for all 92 polling places',
    recommendation: 2,
  },
  'security-day': { proclamation: '2026-10-01', townHall: { date: '2026-10-08', place: 'City-County Building' } },
};

export async function buildPreparednessVectors(key: NodeKey, origin: string, hub: string) {
  const vectors = [];
  for (const [kind, body] of Object.entries(BODIES)) {
    const published = kind === 'security-day';
    const object = {
      v: 1,
      kind,
      origin,
      created: '2026-11-03T14:10:00.000Z',
      tlp: published ? 'CLEAR' : 'AMBER+STRICT',
      audience: published ? ['*'] : [hub],
      body,
    } as SignedObject;
    const s = await signObject(object, key);
    vectors.push({ name: kind, input: object, canonical: canonicalJson(object), id: s.id, kid: key.kid, jws: s.jws });
  }
  return vectors;
}
