import { COMMISSION_DISCIPLINES, type CommissionDiscipline, type SecurityDayBody } from './preparedness.js';
import type {
  CityEvidence,
  NodeFacts,
  RecommendationKey,
  ScoreRow,
  ScoreStatus,
  ScoreWindows,
} from './scorecard-model.js';
import { ago, latest, time, within } from './scorecard-time.js';

/** One rule per recommendation: the evidence and facts to its status, reason and next step. */
type Verdict = Pick<ScoreRow, 'status' | 'reason' | 'next'>;
type Rule = (e: CityEvidence, f: NodeFacts, w: ScoreWindows, now: Date, cycle: string) => Verdict;

export const RULES: Record<RecommendationKey, Rule> = {
  commission: (e, _f, w, now) => {
    const c = latest(e.commissions, (x) => x.body.lastReport?.date ?? x.body.chartered);
    if (!c)
      return {
        status: 'missing',
        reason: 'no election-security commission on record',
        next: 'charter a commission: election officials, cybersecurity experts, computer scientists, voting-rights advocates and agencies',
      };
    const absent = (Object.keys(COMMISSION_DISCIPLINES) as CommissionDiscipline[]).filter(
      (d) => !(c.body.members[d] ?? 0),
    );
    const report = c.body.lastReport;
    if (report && !within(report.date, w.commissionReportMonths, now)) {
      return {
        status: 'stale',
        reason: `the commission's last report was ${ago(report.date, now)}`,
        next: 'ask the commission for its yearly report and recommendations',
      };
    }
    if (!report)
      return {
        status: 'partial',
        reason: `commission chartered ${c.body.chartered}, no report yet`,
        next: 'ask the commission for its first report and recommendations',
      };
    if (absent.length > 0) {
      return {
        status: 'partial',
        reason: `no member for: ${absent.map((d) => COMMISSION_DISCIPLINES[d].toLowerCase()).join(', ')}`,
        next: `invite ${absent.map((d) => COMMISSION_DISCIPLINES[d].toLowerCase()).join(', ')}`,
      };
    }
    return {
      status: 'done',
      reason: `report of ${report.date} with ${report.recommendations.length} recommendations`,
      next: 'follow up on the recommendations',
    };
  },

  'contingency-plans': (e, _f, w, now) => {
    const scenarios = ['cyberattack', 'machine-malfunction'] as const;
    const plans = scenarios.map(
      (s) =>
        [
          s,
          latest(
            e.plans.filter((p) => p.body.scenario === s),
            (p) => p.body.lastReviewed,
          ),
        ] as const,
    );
    const missing = plans.filter(([, p]) => !p).map(([s]) => s);
    if (missing.length === scenarios.length)
      return {
        status: 'missing',
        reason: 'no contingency plan on record',
        next: 'write plans for a cyberattack and for a widespread machine malfunction (start from a template)',
      };
    const problems: { status: ScoreStatus; reason: string; next: string }[] = [];
    for (const [s, p] of plans) {
      if (!p) {
        problems.push({ status: 'partial', reason: `no ${s} plan`, next: `write a ${s} plan` });
        continue;
      }
      if (!within(p.body.lastReviewed, w.planReviewMonths, now)) {
        problems.push({
          status: 'stale',
          reason: `${s} plan last reviewed ${ago(p.body.lastReviewed, now)}`,
          next: `review the ${s} plan`,
        });
      }
      const ex = p.body.lastExercised;
      if (!ex)
        problems.push({
          status: 'partial',
          reason: `${s} plan never exercised`,
          next: `run a tabletop exercise of the ${s} plan`,
        });
      else if (!within(ex.date, w.planExerciseMonths, now)) {
        problems.push({
          status: 'stale',
          reason: `${s} plan last exercised ${ago(ex.date, now)}`,
          next: 'schedule a tabletop',
        });
      }
      if (!p.body.coversElectionDay || !p.body.coversEarlyVoting) {
        problems.push({
          status: 'partial',
          reason: `${s} plan does not cover ${p.body.coversElectionDay ? 'early voting' : 'Election Day'}`,
          next: `extend the ${s} plan to Election Day and early voting`,
        });
      }
    }
    if (problems.length === 0)
      return {
        status: 'done',
        reason: 'both plans reviewed and exercised within a year',
        next: 'keep staff trained on the plans',
      };
    const worst = problems.find((p) => p.status === 'stale') ?? problems[0]!;
    return { status: worst.status, reason: problems.map((p) => p.reason).join('; '), next: worst.next };
  },

  'staff-and-liaisons': (e, _f, w, now) => {
    const a = latest(e.assessments, (x) => x.body.date);
    const liaisons = e.liaisons.length;
    if (!a && liaisons === 0)
      return {
        status: 'missing',
        reason: 'no cybersecurity liaison and no assessment on record',
        next: 'name a cybersecurity liaison and ask CISA for a free assessment of the voter-registration systems',
      };
    if (a && !within(a.body.date, w.assessmentMonths, now)) {
      return {
        status: 'stale',
        reason: `last assessment ${ago(a.body.date, now)}`,
        next: 'ask CISA or the state for a new assessment',
      };
    }
    if (!a)
      return {
        status: 'partial',
        reason: `${liaisons} liaison${liaisons === 1 ? '' : 's'}, no assessment`,
        next: 'ask CISA or the state for an assessment of the voter-registration systems',
      };
    if (liaisons === 0)
      return {
        status: 'partial',
        reason: `assessment of ${a.body.date}, no liaison named`,
        next: 'name a cybersecurity liaison',
      };
    const open = a.body.openFindings;
    return {
      status: 'done',
      reason: `${liaisons} liaison${liaisons === 1 ? '' : 's'}; ${a.body.provider.toUpperCase()} assessment of ${a.body.date}${open ? `, ${open} open findings` : ''}`,
      next: open ? 'close the open findings' : 'keep the liaisons up to date',
    };
  },

  training: (e, _f, w, now) => {
    const t = latest(e.trainings, (x) => x.body.period.to);
    if (!t)
      return {
        status: 'missing',
        reason: 'no training on record',
        next: 'train every official with access to voter-registration records, spear-phishing included',
      };
    const b = t.body;
    if (!within(b.period.to, w.trainingMonths, now))
      return {
        status: 'stale',
        reason: `last training ended ${ago(b.period.to, now)}`,
        next: 'run this year’s training',
      };
    const coverage = b.staffWithAccess === 0 ? 1 : b.trained / b.staffWithAccess;
    const pct = Math.floor(coverage * 100);
    if (!b.coversSpearPhishing)
      return {
        status: 'partial',
        reason: `${b.course} does not cover spear-phishing`,
        next: 'add spear-phishing to the training',
      };
    if (coverage < w.trainingCoverage) {
      return {
        status: 'partial',
        reason: `${b.trained} of ${b.staffWithAccess} staff with access trained (${pct}%)`,
        next: `train the other ${b.staffWithAccess - b.trained}`,
      };
    }
    return {
      status: 'done',
      reason: `${b.trained} of ${b.staffWithAccess} trained (${pct}%), spear-phishing included`,
      next: 'keep it ongoing',
    };
  },

  'open-line': (_e, f, w, now) => {
    if (!f.member)
      return {
        status: 'missing',
        reason: 'not an active member of the state network',
        next: 'enroll with the state hub',
      };
    if (!f.lastHubContact || now.getTime() - time(f.lastHubContact) > w.hubContactDays * 86_400_000) {
      return {
        status: 'stale',
        reason: f.lastHubContact
          ? `no contact with the state hub since ${ago(f.lastHubContact, now)}`
          : 'never reached the state hub',
        next: 'check the node’s connection to the hub',
      };
    }
    if (!f.lastReportOrAck || !within(f.lastReportOrAck, w.openLineMonths, now)) {
      return {
        status: 'partial',
        reason: 'connected, but no report or acknowledgement in a year',
        next: 'report suspicious activity and acknowledge what other cities see',
      };
    }
    return {
      status: 'done',
      reason: `connected; last report or acknowledgement ${ago(f.lastReportOrAck, now)}`,
      next: 'keep reporting',
    };
  },

  forums: (e, _f, w, now) => {
    const m = latest(e.forums, (x) => x.body.date);
    if (!m)
      return {
        status: 'missing',
        reason: 'no forum with local election officials on record',
        next: 'meet with your local election officials: what they need, what they see',
      };
    if (!within(m.body.date, w.forumMonths, now))
      return { status: 'stale', reason: `last forum ${ago(m.body.date, now)}`, next: 'schedule the next forum' };
    const overdue = e.forums
      .flatMap((x) => x.body.followUps)
      .filter((u) => !u.done && time(u.due) + 86_400_000 <= now.getTime());
    if (overdue.length > 0)
      return {
        status: 'partial',
        reason: `${overdue.length} follow-up${overdue.length === 1 ? '' : 's'} past due`,
        next: `follow up: ${overdue[0]!.what} (${overdue[0]!.owner})`,
      };
    return { status: 'done', reason: `last forum ${m.body.date}`, next: 'keep meeting every quarter' };
  },

  'public-advocacy': (_e, f, w, now) => {
    if (!f.lastPublicItem)
      return {
        status: 'missing',
        reason: 'nothing published on the public page',
        next: 'publish a statement or op-ed for paper ballots and post-election audits',
      };
    if (!within(f.lastPublicItem, w.advocacyMonths, now))
      return {
        status: 'stale',
        reason: `last public item ${ago(f.lastPublicItem, now)}`,
        next: 'speak up again before the election',
      };
    return {
      status: 'done',
      reason: `last public item ${ago(f.lastPublicItem, now)}`,
      next: 'keep the public informed',
    };
  },

  'joint-statements': (_e, f, w, now) => {
    const waiting = f.awaitingSignature ?? 0;
    const awaiting = `${waiting} joint statement${waiting === 1 ? ' awaits' : 's await'} the mayor’s signature`;
    if (f.lastStatementSigned && within(f.lastStatementSigned, w.statementMonths, now)) {
      return {
        status: 'done',
        reason: `signed a joint statement ${ago(f.lastStatementSigned, now)}`,
        next: waiting ? awaiting : 'join the next statement',
      };
    }
    if (waiting > 0)
      return {
        status: 'partial',
        reason: f.lastStatementSigned
          ? `last joint statement signed ${ago(f.lastStatementSigned, now)}`
          : 'no joint statement signed yet',
        next: awaiting,
      };
    if (f.lastStatementSigned)
      return {
        status: 'stale',
        reason: `last joint statement signed ${ago(f.lastStatementSigned, now)}`,
        next: 'join or start a statement to the governor and legislature',
      };
    return {
      status: 'missing',
      reason: 'no joint statement signed',
      next: 'join or start a statement to the governor and legislature',
    };
  },

  'security-day': (e, _f, _w, _now, cycle) => {
    const dayOf = (d: SecurityDayBody) =>
      [d.proclamation, d.townHall?.date]
        .filter((x): x is string => !!x)
        .sort()
        .at(-1);
    const d = latest(e.securityDays, (x) => dayOf(x.body));
    if (!d)
      return {
        status: 'missing',
        reason: 'no election-security day on record',
        next: 'proclaim an election-security day and hold a town hall',
      };
    const when = dayOf(d.body)!;
    if (time(when) < time(cycle))
      return {
        status: 'stale',
        reason: `last security day ${when}, before this election cycle`,
        next: 'hold one this cycle',
      };
    if (!d.body.proclamation || !d.body.townHall) {
      return {
        status: 'partial',
        reason: d.body.proclamation ? 'proclaimed, no town hall' : 'town hall held, no proclamation',
        next: d.body.proclamation ? 'hold a town hall' : 'issue the proclamation',
      };
    }
    return {
      status: 'done',
      reason: `proclaimed ${d.body.proclamation}, town hall ${d.body.townHall.date}`,
      next: 'publish it on the public page',
    };
  },

  'congress-advocacy': (e, _f, w, now) => {
    const fresh = e.fundingNeeds.filter((x) => within(x.created, w.fundingMonths, now));
    if (e.fundingNeeds.length === 0)
      return {
        status: 'missing',
        reason: 'no funding need on record',
        next: 'record what federal funding would buy for the city, with amounts',
      };
    if (fresh.length === 0)
      return {
        status: 'stale',
        reason: `funding needs last recorded ${ago(latest(e.fundingNeeds, (x) => x.created)!.created, now)}`,
        next: 'update the funding needs for this year',
      };
    const total = fresh.reduce((s, x) => s + x.body.amount, 0);
    return {
      status: 'done',
      reason: `${fresh.length} funding need${fresh.length === 1 ? '' : 's'}, $${total.toLocaleString('en-US')} in all`,
      next: 'attach them to a letter to Congress',
    };
  },
};
