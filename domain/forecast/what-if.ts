import { Money, formatMoney } from '../money';
import type { Quarter } from '../dates';
import type { Band } from './band';
import { type ForecastResult, type ForecastSnapshot, type FutureCell, forecast } from './forecast';
import { type Scenario, requestFits, withScenario } from './scenario';

/** One figure under today's rules and under the scenario, and how far apart they are. */
export interface SideBySide {
  today: string;
  scenario: string;
  difference: string;
}

export interface WhatIfResult {
  scenario: Scenario;
  today: ForecastResult;
  changed: ForecastResult;
  /** Subsidy cost (open loans and pipeline, expected), compensation and exposure, side by side. */
  byQuarter: Array<{ quarter: Quarter; scheduled: SideBySide; expected: SideBySide; p10: SideBySide; p90: SideBySide; compensation: SideBySide }>;
  byBudgetYear: Array<{ year: number; scheduled: SideBySide; expected: SideBySide; p10: SideBySide; p90: SideBySide }>;
  exposure: Array<{ companyId: string; name: string; cap: SideBySide; peak: SideBySide; warningToday: boolean; warningScenario: boolean }>;
  pipeline: { applications: number; becomeEligible: number; becomeIneligible: number };
}

const side = (today: string, scenario: string): SideBySide => ({ today, scenario, difference: formatMoney(new Money(scenario).minus(today)) });
const bandSides = (t: { scheduled: string; pipelineScheduled: string; total: Band }, c: typeof t) => ({
  scheduled: side(formatMoney(new Money(t.scheduled).plus(t.pipelineScheduled)), formatMoney(new Money(c.scheduled).plus(c.pipelineScheduled))),
  expected: side(t.total.expected, c.total.expected),
  p10: side(t.total.p10, c.total.p10),
  p90: side(t.total.p90, c.total.p90),
});

/**
 * A what-if: the forecast under today's rules and under the scenario, from the same snapshot,
 * side by side. Nothing is written; the same `forecast` computes both sides.
 */
export function whatIf(s: ForecastSnapshot, scenario: Scenario, repriced?: FutureCell[]): WhatIfResult {
  const today = forecast(s);
  const changed = forecast(s, scenario, repriced);
  let becomeEligible = 0;
  let becomeIneligible = 0;
  for (const a of s.pipeline) {
    const own = s.policies[a.policyId]!;
    const before = requestFits(own, a.requestedAmount, a.termMonths);
    const after = requestFits(withScenario(own, scenario.params), a.requestedAmount, a.termMonths);
    if (!before && after) becomeEligible += 1;
    if (before && !after) becomeIneligible += 1;
  }
  const peak = (points: Array<{ outstanding: string }>) => formatMoney(Money.max(0, ...points.map((p) => new Money(p.outstanding))));
  return {
    scenario,
    today,
    changed,
    byQuarter: today.byQuarter.map((t, i) => {
      const c = changed.byQuarter[i]!;
      return { quarter: t.quarter, ...bandSides(t, c), compensation: side(t.expectedLoss.compensation, c.expectedLoss.compensation) };
    }),
    byBudgetYear: today.byBudgetYear.map((t, i) => ({ year: t.year, ...bandSides(t, changed.byBudgetYear[i]!) })),
    exposure: today.exposure.map((t, i) => {
      const c = changed.exposure[i]!;
      const all = (e: typeof t) => [e.now, ...e.byQuarter];
      return {
        companyId: t.companyId,
        name: t.name,
        cap: side(t.cap, c.cap),
        peak: side(peak(all(t)), peak(all(c))),
        warningToday: all(t).some((p) => p.warning),
        warningScenario: all(c).some((p) => p.warning),
      };
    }),
    pipeline: { applications: s.pipeline.length, becomeEligible, becomeIneligible },
  };
}
