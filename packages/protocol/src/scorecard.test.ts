import { describe, expect, it } from 'vitest';
import {
  addMonths,
  type CityEvidence,
  ContingencyPlanBodySchema,
  EMPTY_EVIDENCE,
  electionCycleStart,
  type NodeFacts,
  RECOMMENDATIONS,
  type RecommendationKey,
  scorecard,
  TrainingSummaryBodySchema,
} from './index.js';

const NOW = new Date('2026-11-03T12:00:00Z');
const facts: NodeFacts = { member: true, lastHubContact: '2026-11-03T11:00:00Z' };
let serial = 0;
const ev = <T>(body: T, created = '2026-10-01T00:00:00Z') => ({ id: `id-${++serial}`, created, body });

function row(key: RecommendationKey, evidence: Partial<CityEvidence> = {}, f: NodeFacts = facts, now = NOW) {
  return scorecard({ ...EMPTY_EVIDENCE, ...evidence }, f, { now }).find((r) => r.key === key)!;
}

const plan = (scenario: 'cyberattack' | 'machine-malfunction', reviewed: string, exercised?: string, extra = {}) =>
  ev({
    scenario,
    title: `${scenario} plan`,
    coversElectionDay: true,
    coversEarlyVoting: true,
    ownerRole: 'City clerk',
    lastReviewed: reviewed,
    ...(exercised && { lastExercised: { date: exercised, afterAction: 'Paper pollbooks worked.' } }),
    plan: { text: 'Call the county, switch to paper pollbooks.' },
    ...extra,
  });

const allMembers = { 'election-official': 2, cybersecurity: 1, 'computer-science': 1, 'voting-rights': 1, agency: 1 };

describe('scorecard', () => {
  it('gives ten rows in order, all missing for a city that has nothing', () => {
    const rows = scorecard(EMPTY_EVIDENCE, { member: false }, { now: NOW });
    expect(rows.map((r) => [r.recommendation, r.key])).toEqual(RECOMMENDATIONS.map((r) => [r.n, r.key]));
    expect(rows.every((r) => r.status === 'missing' && r.reason && r.next)).toBe(true);
  });

  describe('1 commission', () => {
    it('partial without a report, partial with a discipline missing, done, stale after 12 months', () => {
      const chartered = { chartered: '2026-01-10', members: allMembers, meetings: [] };
      expect(row('commission', { commissions: [ev(chartered)] }).status).toBe('partial');
      const report = { date: '2025-11-03', recommendations: ['MFA everywhere'] };
      const missingOne = row('commission', {
        commissions: [ev({ ...chartered, members: { ...allMembers, 'voting-rights': 0 }, lastReport: report })],
      });
      expect(missingOne).toMatchObject({ status: 'partial', reason: 'no member for: voting-rights advocates' });
      expect(row('commission', { commissions: [ev({ ...chartered, lastReport: report })] }).status).toBe('done');
      expect(
        row(
          'commission',
          { commissions: [ev({ ...chartered, lastReport: report })] },
          facts,
          new Date('2026-11-04T00:00:01Z'),
        ).status,
      ).toBe('stale');
    });
  });

  describe('2 contingency plans', () => {
    it('done with both plans fresh; stale at 12 months and a day with the next step named', () => {
      const both = [
        plan('cyberattack', '2026-02-01', '2026-03-01'),
        plan('machine-malfunction', '2026-02-01', '2025-11-03'),
      ];
      expect(row('contingency-plans', { plans: both }).status).toBe('done');
      const late = row('contingency-plans', { plans: both }, facts, new Date('2026-11-04T12:00:00Z'));
      expect(late).toMatchObject({
        status: 'stale',
        reason: 'machine-malfunction plan last exercised 12 months ago',
        next: 'schedule a tabletop',
      });
      const old = [
        plan('cyberattack', '2026-02-01', '2026-03-01'),
        plan('machine-malfunction', '2026-02-01', '2025-09-01'),
      ];
      expect(row('contingency-plans', { plans: old }).reason).toBe(
        'machine-malfunction plan last exercised 14 months ago',
      );
    });
    it('partial with one plan, one never exercised, or Election Day not covered; the latest review counts', () => {
      expect(row('contingency-plans', { plans: [plan('cyberattack', '2026-02-01', '2026-03-01')] })).toMatchObject({
        status: 'partial',
        reason: 'no machine-malfunction plan',
      });
      expect(
        row('contingency-plans', {
          plans: [plan('cyberattack', '2026-02-01', '2026-03-01'), plan('machine-malfunction', '2026-02-01')],
        }).reason,
      ).toBe('machine-malfunction plan never exercised');
      const partialCover = [
        plan('cyberattack', '2026-02-01', '2026-03-01'),
        plan('machine-malfunction', '2026-02-01', '2026-03-01', { coversEarlyVoting: false }),
      ];
      expect(row('contingency-plans', { plans: partialCover }).reason).toBe(
        'machine-malfunction plan does not cover early voting',
      );
      const reviewedAgain = [
        plan('cyberattack', '2024-01-01', '2026-03-01'),
        plan('cyberattack', '2026-05-01', '2026-06-01'),
        plan('machine-malfunction', '2026-02-01', '2026-03-01'),
      ];
      expect(row('contingency-plans', { plans: reviewedAgain }).status).toBe('done');
    });
  });

  describe('3 staff and liaisons', () => {
    const liaison = ev({
      role: 'Cybersecurity liaison',
      agency: 'City IT',
      name: 'Ana Ruiz',
      workContact: 'it@madison.example',
    });
    const assessment = (date: string, openFindings = 0) =>
      ev({ provider: 'cisa' as const, kind: 'vulnerability-scanning' as const, date, openFindings });
    it('partial with only one of them, done with both, stale after 24 months', () => {
      expect(row('staff-and-liaisons', { liaisons: [liaison] }).status).toBe('partial');
      expect(row('staff-and-liaisons', { assessments: [assessment('2026-01-01')] }).status).toBe('partial');
      expect(
        row('staff-and-liaisons', { liaisons: [liaison], assessments: [assessment('2024-11-03', 3)] }),
      ).toMatchObject({ status: 'done', next: 'close the open findings' });
      expect(row('staff-and-liaisons', { liaisons: [liaison], assessments: [assessment('2024-11-02')] }).status).toBe(
        'stale',
      );
    });
  });

  describe('4 training', () => {
    const training = (to: string, trained: number, coversSpearPhishing = true) =>
      ev({
        period: { from: '2026-01-01', to },
        course: 'Phishing 101',
        coversSpearPhishing,
        staffWithAccess: 40,
        trained,
      });
    it('needs 95% of staff with access, spear-phishing, within 12 months', () => {
      expect(row('training', { trainings: [training('2026-06-30', 38)] }).status).toBe('done');
      expect(row('training', { trainings: [training('2026-06-30', 37)] })).toMatchObject({
        status: 'partial',
        reason: '37 of 40 staff with access trained (92%)',
        next: 'train the other 3',
      });
      expect(row('training', { trainings: [training('2026-06-30', 40, false)] }).status).toBe('partial');
      expect(row('training', { trainings: [training('2025-11-03', 40)] }).status).toBe('done');
      expect(row('training', { trainings: [training('2025-11-02', 40)] }).status).toBe('stale');
    });
    it('the schema refuses more trained than staff', () => {
      const body = {
        period: { from: '2026-01-01', to: '2026-02-01' },
        course: 'x',
        coversSpearPhishing: true,
        staffWithAccess: 3,
        trained: 4,
      };
      expect(TrainingSummaryBodySchema.safeParse(body).success).toBe(false);
    });
  });

  describe('5 open line', () => {
    it('missing when not a member, stale when the hub was not reached for a week, partial when quiet', () => {
      expect(row('open-line', {}, { member: false }).status).toBe('missing');
      expect(row('open-line', {}, { member: true, lastHubContact: '2026-10-27T11:59:00Z' }).status).toBe('stale');
      expect(row('open-line', {}, { member: true }).reason).toBe('never reached the state hub');
      expect(row('open-line', {}, facts).status).toBe('partial');
      expect(row('open-line', {}, { ...facts, lastReportOrAck: '2026-09-01T00:00:00Z' }).status).toBe('done');
    });
  });

  describe('6 forums', () => {
    const forum = (date: string, due = '2026-12-01', done = false) =>
      ev({
        date,
        with: 'County clerks',
        needs: ['More poll workers'],
        followUps: [{ what: 'Recruit poll workers', owner: 'Clerk', due, done }],
      });
    it('done within 3 months, stale after, partial with a follow-up past due', () => {
      expect(row('forums', { forums: [forum('2026-08-03')] }).status).toBe('done');
      expect(row('forums', { forums: [forum('2026-08-02')] }).status).toBe('stale');
      expect(row('forums', { forums: [forum('2026-10-01', '2026-11-01')] })).toMatchObject({
        status: 'partial',
        next: 'follow up: Recruit poll workers (Clerk)',
      });
      expect(row('forums', { forums: [forum('2026-10-01', '2026-11-01', true)] }).status).toBe('done');
    });
  });

  it('7 public advocacy follows the public page', () => {
    expect(row('public-advocacy').status).toBe('missing');
    expect(row('public-advocacy', {}, { ...facts, lastPublicItem: '2025-10-01T00:00:00Z' }).status).toBe('stale');
    expect(row('public-advocacy', {}, { ...facts, lastPublicItem: '2026-10-01T00:00:00Z' }).status).toBe('done');
  });

  it('8 joint statements: signed within a year, or waiting for a signature', () => {
    expect(row('joint-statements').status).toBe('missing');
    expect(row('joint-statements', {}, { ...facts, awaitingSignature: 2 })).toMatchObject({
      status: 'partial',
      reason: 'no joint statement signed yet',
      next: '2 joint statements await the mayor’s signature',
    });
    expect(row('joint-statements', {}, { ...facts, awaitingSignature: 1 }).next).toBe(
      '1 joint statement awaits the mayor’s signature',
    );
    expect(row('joint-statements', {}, { ...facts, lastStatementSigned: '2025-01-01T00:00:00Z' }).status).toBe('stale');
    // A stale signer with a statement waiting: partial, and the waiting statement is the next step.
    expect(
      row('joint-statements', {}, { ...facts, lastStatementSigned: '2025-01-01T00:00:00Z', awaitingSignature: 1 }),
    ).toMatchObject({ status: 'partial', next: '1 joint statement awaits the mayor’s signature' });
    expect(row('joint-statements', {}, { ...facts, lastStatementSigned: '2026-03-01T00:00:00Z' }).status).toBe('done');
    expect(
      row('joint-statements', {}, { ...facts, lastStatementSigned: '2026-03-01T00:00:00Z', awaitingSignature: 3 }).next,
    ).toBe('3 joint statements await the mayor’s signature');
  });

  it('9 security day: this election cycle, with a proclamation and a town hall', () => {
    expect(electionCycleStart(NOW)).toBe('2025-01-01');
    expect(electionCycleStart(new Date('2027-02-01T00:00:00Z'))).toBe('2027-01-01');
    const day = (proclamation?: string, town?: string) =>
      ev({ ...(proclamation && { proclamation }), ...(town && { townHall: { date: town, place: 'City Hall' } }) });
    expect(row('security-day', { securityDays: [day('2025-01-01', '2025-01-05')] }).status).toBe('done');
    expect(row('security-day', { securityDays: [day('2024-12-31', '2024-12-31')] }).status).toBe('stale');
    expect(row('security-day', { securityDays: [day('2026-09-01')] })).toMatchObject({
      status: 'partial',
      next: 'hold a town hall',
    });
  });

  it('10 Congress advocacy: funding needs recorded within a year', () => {
    const need = (created: string, amount = 120_000) =>
      ev({ item: 'Poll-book tablets', amount, buys: '40 tablets', recommendation: 2 }, created);
    expect(
      row('congress-advocacy', { fundingNeeds: [need('2026-03-01T00:00:00Z'), need('2026-04-01T00:00:00Z', 30_000)] }),
    ).toMatchObject({ status: 'done', reason: '2 funding needs, $150,000 in all' });
    expect(row('congress-advocacy', { fundingNeeds: [need('2025-11-02T00:00:00Z')] }).status).toBe('stale');
  });

  it('windows are configurable', () => {
    const forum = ev({ date: '2026-06-01', with: 'County clerks', needs: [], followUps: [] });
    const rows = scorecard({ ...EMPTY_EVIDENCE, forums: [forum] }, facts, { now: NOW, windows: { forumMonths: 6 } });
    expect(rows.find((r) => r.key === 'forums')!.status).toBe('done');
  });

  it('adds calendar months, clamped to the end of a month', () => {
    expect(new Date(addMonths('2026-01-31', 1)).toISOString().slice(0, 10)).toBe('2026-02-28');
    expect(new Date(addMonths('2024-02-29', 12)).toISOString().slice(0, 10)).toBe('2025-02-28');
  });

  it('a plan is either a text or a document hash', () => {
    const body = plan('cyberattack', '2026-02-01').body;
    expect(ContingencyPlanBodySchema.safeParse(body).success).toBe(true);
    expect(ContingencyPlanBodySchema.safeParse({ ...body, plan: {} }).success).toBe(false);
  });
});
