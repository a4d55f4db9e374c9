import type {
  AssessmentBody,
  CommissionBody,
  ContingencyPlanBody,
  ForumBody,
  FundingNeedBody,
  LiaisonBody,
  SecurityDayBody,
  TrainingSummaryBody,
} from './preparedness.js';

/**
 * A city against the ten recommendations to mayors: a pure function of its signed
 * evidence and of facts its node already knows, to one row per recommendation with
 * its status, the reason, and the next step. Staleness windows default to the
 * guide's (§7) and can be set per network.
 */

export const SCORE_STATUSES = ['done', 'partial', 'stale', 'missing'] as const;
export type ScoreStatus = (typeof SCORE_STATUSES)[number];

export const RECOMMENDATIONS = [
  { n: 1, key: 'commission', title: 'Election-security commission' },
  { n: 2, key: 'contingency-plans', title: 'Contingency plans for cyberattack and machine malfunction' },
  { n: 3, key: 'staff-and-liaisons', title: 'Cyber-savvy staff, liaisons and a CISA or state assessment' },
  { n: 4, key: 'training', title: 'Mandatory, ongoing cybersecurity training' },
  { n: 5, key: 'open-line', title: 'An open line with other mayors and the state' },
  { n: 6, key: 'forums', title: 'Regular forums with local election officials' },
  { n: 7, key: 'public-advocacy', title: 'Public advocacy for paper ballots and audits' },
  { n: 8, key: 'joint-statements', title: 'Joint statements to governors and legislatures' },
  { n: 9, key: 'security-day', title: 'An election-security day' },
  { n: 10, key: 'congress-advocacy', title: 'Advocacy to Congress with city-specific figures' },
] as const;
export type RecommendationKey = (typeof RECOMMENDATIONS)[number]['key'];

export interface ScoreRow {
  recommendation: number;
  key: RecommendationKey;
  status: ScoreStatus;
  reason: string;
  next: string;
}

/** One piece of evidence as the node holds it: the object id, when it was signed, its body. */
export interface Evidence<T> {
  id: string;
  created: string;
  body: T;
}

export interface CityEvidence {
  commissions: Evidence<CommissionBody>[];
  plans: Evidence<ContingencyPlanBody>[];
  trainings: Evidence<TrainingSummaryBody>[];
  liaisons: Evidence<LiaisonBody>[];
  forums: Evidence<ForumBody>[];
  assessments: Evidence<AssessmentBody>[];
  fundingNeeds: Evidence<FundingNeedBody>[];
  securityDays: Evidence<SecurityDayBody>[];
}

/** What the city's node knows without any evidence object (ISO timestamps; absent = never). */
export interface NodeFacts {
  /** Listed as an active member in the roster. */
  member: boolean;
  /** The last time the city and the hub reached each other (a link, a push or a pull). */
  lastHubContact?: string;
  /** The city's latest bulletin or acknowledgement. */
  lastReportOrAck?: string;
  /** The city's latest TLP:CLEAR object (what its public page shows). */
  lastPublicItem?: string;
  /** The latest final joint statement carrying the city's signature. */
  lastStatementSigned?: string;
  /** Statements in sign-on that await the city's signature. */
  awaitingSignature?: number;
}

export const DEFAULT_WINDOWS = {
  commissionReportMonths: 12,
  planReviewMonths: 12,
  planExerciseMonths: 12,
  trainingMonths: 12,
  /** Share of staff with voter-registration access who must be trained. */
  trainingCoverage: 0.95,
  assessmentMonths: 24,
  forumMonths: 3,
  openLineMonths: 12,
  hubContactDays: 7,
  advocacyMonths: 12,
  statementMonths: 12,
  fundingMonths: 12,
};
export type ScoreWindows = typeof DEFAULT_WINDOWS;

export interface ScorecardOptions {
  now: Date;
  windows?: Partial<ScoreWindows>;
  /** First day of the current election cycle (default: January 1 of the odd year that starts it). */
  electionCycleStart?: string;
}

export const EMPTY_EVIDENCE: CityEvidence = {
  commissions: [],
  plans: [],
  trainings: [],
  liaisons: [],
  forums: [],
  assessments: [],
  fundingNeeds: [],
  securityDays: [],
};
