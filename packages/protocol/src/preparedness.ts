import { z } from 'zod';

/**
 * Evidence of a city's preparedness against the ten recommendations to mayors
 * (see ../shared GUIDE §7): the bodies of the preparedness kinds. Personal data
 * stays home: a commission lists members by discipline, a training summary only
 * counts, an assessment only counts open findings.
 */

const date = z.iso.date();
const text = (max: number) => z.string().trim().min(1).max(max);
const optText = (max: number) => z.string().max(max).optional();
const count = z.number().int().min(0).max(1_000_000);

export const COMMISSION_DISCIPLINES = {
  'election-official': 'Local election officials',
  cybersecurity: 'Cybersecurity experts',
  'computer-science': 'Computer scientists',
  'voting-rights': 'Voting-rights advocates',
  agency: 'Government agencies',
} as const;
export type CommissionDiscipline = keyof typeof COMMISSION_DISCIPLINES;

export const CommissionBodySchema = z.strictObject({
  chartered: date,
  /** How many members of each discipline sit on it (names and contacts stay at the city). */
  members: z.partialRecord(z.enum(Object.keys(COMMISSION_DISCIPLINES) as [CommissionDiscipline]), count),
  meetings: z.array(date).max(500),
  lastReport: z.strictObject({ date, recommendations: z.array(text(1_000)).max(100) }).optional(),
});

export const CONTINGENCY_SCENARIOS = ['cyberattack', 'machine-malfunction', 'other'] as const;

export const ContingencyPlanBodySchema = z.strictObject({
  scenario: z.enum(CONTINGENCY_SCENARIOS),
  title: text(200),
  coversElectionDay: z.boolean(),
  coversEarlyVoting: z.boolean(),
  ownerRole: text(200),
  lastReviewed: date,
  lastExercised: z.strictObject({ date, afterAction: optText(5_000) }).optional(),
  /** The plan itself: a short text, or the SHA-256 (base64url) of a document kept at the city. */
  plan: z.union([
    z.strictObject({ text: text(50_000) }),
    z.strictObject({ sha256: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }),
  ]),
  /** The plan this one replaces (a new review is a new version). */
  supersedes: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .optional(),
});

export const TrainingSummaryBodySchema = z
  .strictObject({
    period: z.strictObject({ from: date, to: date }),
    course: text(200),
    coversSpearPhishing: z.boolean(),
    /** Staff with access to voter-registration records, and how many of them completed it. */
    staffWithAccess: count,
    trained: count,
    /** Officials sharing the office space, trained too. */
    officeMatesTrained: count.optional(),
  })
  .refine((t) => t.trained <= t.staffWithAccess, {
    message: 'trained cannot exceed staffWithAccess',
    path: ['trained'],
  })
  .refine((t) => t.period.from <= t.period.to, { message: 'the period ends before it starts', path: ['period'] });

export const LiaisonBodySchema = z.strictObject({
  role: text(200),
  agency: text(200),
  name: text(200),
  /** A work contact only (office e-mail or phone). */
  workContact: text(320),
});

export const ForumBodySchema = z.strictObject({
  date,
  with: text(500),
  needs: z.array(text(1_000)).max(100),
  followUps: z
    .array(z.strictObject({ what: text(1_000), owner: text(200), due: date, done: z.boolean().optional() }))
    .max(100),
});

export const ASSESSMENT_KINDS = {
  'vulnerability-scanning': 'Vulnerability scanning (CISA Cyber Hygiene)',
  'risk-assessment': 'Risk and vulnerability assessment',
  'penetration-test': 'Penetration test',
  'physical-assessment': 'Physical security assessment',
  other: 'Other assessment',
} as const;

export const AssessmentBodySchema = z.strictObject({
  provider: z.enum(['cisa', 'state', 'other']),
  kind: z.enum(Object.keys(ASSESSMENT_KINDS) as [keyof typeof ASSESSMENT_KINDS]),
  date,
  /** How many findings are still open: never the findings themselves. */
  openFindings: count,
});

export const FundingNeedBodySchema = z.strictObject({
  item: text(200),
  /** US dollars. */
  amount: z.number().int().min(1).max(1_000_000_000),
  buys: text(2_000),
  recommendation: z.number().int().min(1).max(10),
});

export const SecurityDayBodySchema = z
  .strictObject({
    proclamation: date.optional(),
    townHall: z.strictObject({ date, place: text(300) }).optional(),
  })
  .refine((d) => d.proclamation !== undefined || d.townHall !== undefined, {
    message: 'a security day needs a proclamation date or a town hall',
  });

export type CommissionBody = z.infer<typeof CommissionBodySchema>;
export type ContingencyPlanBody = z.infer<typeof ContingencyPlanBodySchema>;
export type TrainingSummaryBody = z.infer<typeof TrainingSummaryBodySchema>;
export type LiaisonBody = z.infer<typeof LiaisonBodySchema>;
export type ForumBody = z.infer<typeof ForumBodySchema>;
export type AssessmentBody = z.infer<typeof AssessmentBodySchema>;
export type FundingNeedBody = z.infer<typeof FundingNeedBodySchema>;
export type SecurityDayBody = z.infer<typeof SecurityDayBodySchema>;
