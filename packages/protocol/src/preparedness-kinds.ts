import {
  AssessmentBodySchema,
  CommissionBodySchema,
  ContingencyPlanBodySchema,
  ForumBodySchema,
  FundingNeedBodySchema,
  LiaisonBodySchema,
  SecurityDayBodySchema,
  TrainingSummaryBodySchema,
} from './preparedness.js';
import type { CityEvidence } from './scorecard-model.js';
import { EVERYONE, type Tlp, tlpRank } from './tlp.js';

/**
 * The eight preparedness kinds as signed objects (registered in objects.ts BODIES):
 * the evidence a city keeps of where it stands on the ten recommendations.
 */
export const PREPAREDNESS_BODIES = {
  commission: CommissionBodySchema,
  'contingency-plan': ContingencyPlanBodySchema,
  'training-summary': TrainingSummaryBodySchema,
  liaison: LiaisonBodySchema,
  forum: ForumBodySchema,
  assessment: AssessmentBodySchema,
  'funding-need': FundingNeedBodySchema,
  'security-day': SecurityDayBodySchema,
} as const;

export type PreparednessKind = keyof typeof PREPAREDNESS_BODIES;
export const PREPAREDNESS_KINDS = Object.keys(PREPAREDNESS_BODIES) as [PreparednessKind, ...PreparednessKind[]];

export function isPreparednessKind(kind: string): kind is PreparednessKind {
  return Object.hasOwn(PREPAREDNESS_BODIES, kind);
}

/** Where each kind goes in the scorecard's input. */
export const EVIDENCE_FIELD: Record<PreparednessKind, keyof CityEvidence> = {
  commission: 'commissions',
  'contingency-plan': 'plans',
  'training-summary': 'trainings',
  liaison: 'liaisons',
  forum: 'forums',
  assessment: 'assessments',
  'funding-need': 'fundingNeeds',
  'security-day': 'securityDays',
};

/** A city's gaps are sensitive (GUIDE §7): every preparedness object defaults to AMBER+STRICT for the hub alone. */
export const PREPAREDNESS_DEFAULT_TLP: Tlp = 'AMBER+STRICT';

export function defaultPreparednessMarking(hub: string): { tlp: Tlp; audience: string[] } {
  return { tlp: PREPAREDNESS_DEFAULT_TLP, audience: [hub] };
}

/**
 * Why a marking shares more than the default (a looser TLP, or anyone but the hub
 * in the audience), for the console's warning; undefined when it does not.
 */
export function widerThanDefault(marking: { tlp: Tlp; audience: readonly string[] }, hub: string): string | undefined {
  const others = marking.audience.filter((n) => n !== hub);
  if (tlpRank(marking.tlp) < tlpRank(PREPAREDNESS_DEFAULT_TLP)) {
    return `TLP:${marking.tlp} is looser than the default TLP:${PREPAREDNESS_DEFAULT_TLP}`;
  }
  if (others.includes(EVERYONE)) return 'shared with the whole network, not the hub alone';
  if (others.length > 0) return `shared with ${others.join(', ')} besides the hub`;
  return undefined;
}
