import { z } from 'zod';
import { type PolicyParams, policyParamsSchema } from '../policy';
import { Money } from '../money';
import { visibleText } from '../text-schemas';

/**
 * A what-if: some policy parameters changed (docs/domain.md §3.5), and to which loans the change
 * applies (docs/forecast.md, "What-if").
 */
export const SCENARIO_KEYS = [
  'guaranteeMin',
  'guaranteeMax',
  'termMonthsMin',
  'termMonthsMax',
  'rateCap',
  'subsidyMode',
  'subsidyShare',
  'borrowerRateFloor',
  'lossSharing',
  'leverageCap',
] as const;
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];
export type ScenarioParams = Partial<Pick<PolicyParams, ScenarioKey>>;

const shape = policyParamsSchema.shape;
/** Each field as the policy itself checks it; cross-field rules run on the merged policy (scenarioPolicy). */
/** A saved scenario's name, as the API and the CLI take it. */
export const scenarioNameSchema = visibleText(z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'));

export const scenarioParamsSchema = z
  .object({
    guaranteeMin: shape.guaranteeMin.optional(),
    guaranteeMax: shape.guaranteeMax.optional(),
    termMonthsMin: shape.termMonthsMin.optional(),
    termMonthsMax: shape.termMonthsMax.optional(),
    rateCap: shape.rateCap.optional(),
    subsidyMode: shape.subsidyMode.optional(),
    subsidyShare: shape.subsidyShare.optional(),
    borrowerRateFloor: shape.borrowerRateFloor.optional(),
    lossSharing: shape.lossSharing.optional(),
    leverageCap: shape.leverageCap.optional(),
  })
  .strict();

export const SCENARIO_SCOPES = ['new_loans_only', 'reprice_open_loans'] as const;
export type ScenarioScope = (typeof SCENARIO_SCOPES)[number];

export interface Scenario {
  params: ScenarioParams;
  /**
   * new_loans_only (the default): open loans keep their own policy version; the pipeline, which
   * will become new loans, takes the changed rules. reprice_open_loans: open loans' remaining
   * periods take them too (their contract rate stays; subsidy and loss sharing change).
   */
  scope: ScenarioScope;
}

export const UNCHANGED: Scenario = Object.freeze({ params: Object.freeze({}), scope: 'new_loans_only' as const });

/** A policy version with the scenario's changes; the caller checks it with policyParamsSchema. */
export function withScenario(policy: PolicyParams, params: ScenarioParams): PolicyParams {
  return { ...policy, ...params };
}

/** Whether any change touches what a period's subsidy is (docs/domain.md §3.4). */
export function changesSubsidy(params: ScenarioParams): boolean {
  return params.subsidyMode !== undefined || params.subsidyShare !== undefined || params.borrowerRateFloor !== undefined;
}

/**
 * The problems of a scenario against the policies it would change: the merged policy must itself be
 * valid (min ≤ max, loss sharing adding up to 1, a rate cap above 0). Paths are the scenario's.
 */
export function scenarioProblems(policies: Iterable<PolicyParams>, params: ScenarioParams): Array<{ path: string; message: string }> {
  const seen = new Set<string>();
  const out: Array<{ path: string; message: string }> = [];
  for (const p of policies) {
    const r = policyParamsSchema.safeParse(withScenario(p, params));
    if (r.success) continue;
    for (const issue of r.error.issues) {
      const path = issue.path.join('.');
      const key = `${path}:${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** An application's request fits the band and the term range of a policy (docs/domain.md §1.2). */
export function requestFits(policy: Pick<PolicyParams, 'guaranteeMin' | 'guaranteeMax' | 'termMonthsMin' | 'termMonthsMax'>, amount: string, termMonths: number): boolean {
  const a = new Money(amount);
  return a.greaterThanOrEqualTo(policy.guaranteeMin) && a.lessThanOrEqualTo(policy.guaranteeMax) && termMonths >= policy.termMonthsMin && termMonths <= policy.termMonthsMax;
}
