import type { CityLinkClient } from '@citylink/client';

type As = (node: string, user: string) => Promise<CityLinkClient>;
type Evidence = Parameters<CityLinkClient['preparedness']['record']['mutate']>[0];

const DAY = 86_400_000;

/**
 * Three believable, different preparedness states (issue 15): Madison nearly
 * complete, Milwaukee with plans and training gone stale, Green Bay just starting.
 * Everything is AMBER+STRICT for the hub alone, as a city records it by default,
 * except Madison's election-security day, which it published.
 */
export function preparednessSeeds(now: number): { node: string; evidence: Evidence[] }[] {
  const ago = (days: number) => new Date(now - days * DAY).toISOString().slice(0, 10);
  const plan = (scenario: 'cyberattack' | 'machine-malfunction', reviewed: number, exercised?: number) => ({
    kind: 'contingency-plan' as const,
    body: {
      scenario,
      title:
        scenario === 'cyberattack' ? 'Cyberattack on election systems' : 'Widespread pollbook or tabulator failure',
      coversElectionDay: true,
      coversEarlyVoting: true,
      ownerRole: 'City clerk',
      lastReviewed: ago(reviewed),
      ...(exercised !== undefined && {
        lastExercised: { date: ago(exercised), afterAction: 'Paper backups reached every site within the hour.' },
      }),
      plan: {
        text: 'Tell the state within the hour; switch to paper pollbooks; preserve device state; log decisions.',
      },
    },
  });
  const training = (days: number, staffWithAccess: number, trained: number) => ({
    kind: 'training-summary' as const,
    body: {
      period: { from: ago(days + 30), to: ago(days) },
      course: 'Spear-phishing and account security',
      coversSpearPhishing: true,
      staffWithAccess,
      trained,
    },
  });
  return [
    {
      node: 'wi-madison',
      evidence: [
        {
          kind: 'commission',
          body: {
            chartered: ago(400),
            members: { 'election-official': 2, cybersecurity: 2, 'computer-science': 1, 'voting-rights': 1, agency: 1 },
            meetings: [ago(200), ago(110), ago(20)],
            lastReport: {
              date: ago(60),
              recommendations: ['MFA for every clerk account', 'Quarterly phishing drills'],
            },
          },
        },
        plan('cyberattack', 90, 45),
        plan('machine-malfunction', 80, 40),
        training(30, 24, 24),
        {
          kind: 'liaison',
          body: {
            role: 'Cybersecurity liaison',
            agency: 'City of Madison IT',
            name: 'Priya Shah',
            workContact: 'it-security@cityofmadison.example',
          },
        },
        {
          kind: 'assessment',
          body: { provider: 'cisa', kind: 'vulnerability-scanning', date: ago(120), openFindings: 2 },
        },
        {
          kind: 'forum',
          body: {
            date: ago(25),
            with: 'Dane County clerk and ward election inspectors',
            needs: ['Spare ballot printers'],
            followUps: [{ what: 'Order two spare printers', owner: 'City clerk', due: ago(-10) }],
          },
        },
        {
          kind: 'funding-need',
          body: {
            item: 'Paper backup pollbook kits',
            amount: 42_000,
            buys: 'Printed backup pollbooks and carriers for all 92 polling places',
            recommendation: 2,
          },
        },
        {
          kind: 'security-day',
          body: { proclamation: ago(50), townHall: { date: ago(43), place: 'City-County Building' } },
          marking: { tlp: 'CLEAR', audience: ['*'] },
          confirmWider: true,
        },
      ],
    },
    {
      node: 'wi-milwaukee',
      evidence: [
        plan('cyberattack', 500, 430),
        plan('machine-malfunction', 420),
        training(420, 60, 41),
        {
          kind: 'liaison',
          body: {
            role: 'Deputy election commissioner',
            agency: 'Milwaukee Election Commission',
            name: 'Dana Kowalski',
            workContact: 'elections@milwaukee.example',
          },
        },
        { kind: 'assessment', body: { provider: 'state', kind: 'risk-assessment', date: ago(800), openFindings: 7 } },
      ],
    },
    {
      node: 'wi-green-bay',
      evidence: [
        {
          kind: 'liaison',
          body: {
            role: 'IT manager',
            agency: 'City of Green Bay IT',
            name: 'Sam Lee',
            workContact: 'it@greenbaywi.example',
          },
        },
      ],
    },
  ];
}

/** Records each city's evidence through its own staff account. */
export async function seedPreparedness(as: As, now: number): Promise<number> {
  let n = 0;
  for (const city of preparednessSeeds(now)) {
    const staff = await as(city.node, 'staff');
    for (const e of city.evidence) {
      await staff.preparedness.record.mutate(e);
      n++;
    }
  }
  return n;
}
