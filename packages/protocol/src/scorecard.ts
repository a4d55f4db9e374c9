import {
  type CityEvidence,
  DEFAULT_WINDOWS,
  type NodeFacts,
  RECOMMENDATIONS,
  type ScorecardOptions,
  type ScoreRow,
} from './scorecard-model.js';
import { RULES } from './scorecard-rules.js';
import { electionCycleStart } from './scorecard-time.js';

/**
 * A city against the ten recommendations to mayors: one row per recommendation
 * with its status, the reason and the next step (rules in scorecard-rules.ts).
 */
export function scorecard(evidence: CityEvidence, facts: NodeFacts, options: ScorecardOptions): ScoreRow[] {
  const windows = { ...DEFAULT_WINDOWS, ...options.windows };
  const cycle = options.electionCycleStart ?? electionCycleStart(options.now);
  return RECOMMENDATIONS.map(({ n, key }) => ({
    recommendation: n,
    key,
    ...RULES[key](evidence, facts, windows, options.now, cycle),
  }));
}
