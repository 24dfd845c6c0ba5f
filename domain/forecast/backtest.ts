import { Money } from '../money';
import type { Quarter } from '../dates';
import type { ForecastResult } from './forecast';

export interface BacktestRow {
  quarter: Quarter;
  expected: string;
  p10: string;
  p90: string;
  actual: string;
  /** |actual − expected| / actual, 4 decimals; null when nothing was earned. */
  absolutePercentError: string | null;
  withinBand: boolean;
}

export interface Backtest {
  rows: BacktestRow[];
  /** Mean of the quarters' absolute percentage errors (those with an actual above 0), 4 decimals. */
  mape: string | null;
  /** Share of quarters whose actual lay within P10–P90. */
  coverage: string | null;
}

/**
 * A forecast made as of a past day against what the same loans actually earned in the quarters
 * since (docs/forecast.md, "Backtest"). Only quarters with an actual are compared; the open loans'
 * expected subsidy is compared, since the actuals of loans disbursed later were not knowable then.
 */
export function backtest(f: ForecastResult, actual: ReadonlyMap<Quarter, string>): Backtest {
  const rows: BacktestRow[] = [];
  for (const q of f.byQuarter) {
    const a = actual.get(q.quarter);
    if (a === undefined) continue;
    const am = new Money(a);
    const ape = am.isZero() ? null : am.minus(q.expected).abs().dividedBy(am).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4);
    rows.push({ quarter: q.quarter, expected: q.expected, p10: q.p10, p90: q.p90, actual: a, absolutePercentError: ape, withinBand: am.greaterThanOrEqualTo(q.p10) && am.lessThanOrEqualTo(q.p90) });
  }
  const errors = rows.filter((r) => r.absolutePercentError !== null).map((r) => new Money(r.absolutePercentError!));
  const mape = errors.length ? errors.reduce((a, b) => a.plus(b), new Money(0)).dividedBy(errors.length).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4) : null;
  const coverage = rows.length ? new Money(rows.filter((r) => r.withinBand).length).dividedBy(rows.length).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4) : null;
  return { rows, mape, coverage };
}
