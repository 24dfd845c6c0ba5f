import { Money, formatMoney, roundFen } from '../money';
import { type Beta, betaMean, betaMeanBernoulliVariance, betaVariance } from './rates';

/**
 * The P10–P90 band of a sum of subsidies, each earned only if its period is paid on time
 * (docs/forecast.md, "The band"). Within one cell (bank × loan age) every period shares the cell's
 * unknown on-time rate p ~ Beta; given p, each period is paid on time or not. So the sum
 * Σ sᵢ·Xᵢ of one cell has the Beta-Binomial's mean and variance:
 *
 *   E = μ·S,   Var = E[p(1−p)]·Q + Var(p)·S²,   S = Σ sᵢ, Q = Σ sᵢ²
 *
 * Cells are independent, so their means and variances add; the band is E ± z·√Var (z the normal
 * 90 % quantile), kept within [0, the most that can be earned].
 */
export const Z_P90 = new Money('1.2815515655446004');

/** S and Q of one cell's periods within one group (a quarter, a bank's quarter, a budget year). */
interface CellSums {
  posterior: Beta;
  s: Money;
  q: Money;
}

/** The moments of one group: open loans by cell, the pipeline's already as a mean and a variance. */
export class BandSum {
  private readonly cells = new Map<string, CellSums>();
  private pipelineMean = new Money(0);
  private pipelineVariance = new Money(0);
  /** The scheduled subsidy of the open loans: what they earn if every period is on time. */
  scheduled = new Money(0);
  pipelineScheduled = new Money(0);
  /** Subsidy already accrued and not yet paid: owed, so certain (no variance). */
  accrued = new Money(0);

  addAccrued(amount: Money): void {
    this.accrued = this.accrued.plus(amount);
  }

  /** Periods of open loans: `subsidy` their sum, `subsidySq` the sum of their squares. */
  addLoans(cellKey: string, posterior: Beta, subsidy: Money, subsidySq: Money): void {
    let c = this.cells.get(cellKey);
    if (!c) {
      c = { posterior, s: new Money(0), q: new Money(0) };
      this.cells.set(cellKey, c);
    }
    c.s = c.s.plus(subsidy);
    c.q = c.q.plus(subsidySq);
    this.scheduled = this.scheduled.plus(subsidy);
  }

  /** One pipeline application's part of this group, already as its own mean and variance. */
  addPipeline(scheduled: Money, mean: Money, variance: Money): void {
    this.pipelineScheduled = this.pipelineScheduled.plus(scheduled);
    this.pipelineMean = this.pipelineMean.plus(mean);
    this.pipelineVariance = this.pipelineVariance.plus(variance);
  }

  private loans(): { mean: Money; variance: Money } {
    let mean = new Money(0);
    let variance = new Money(0);
    for (const c of this.cells.values()) {
      mean = mean.plus(c.s.times(betaMean(c.posterior)));
      variance = variance.plus(c.q.times(betaMeanBernoulliVariance(c.posterior))).plus(c.s.times(c.s).times(betaVariance(c.posterior)));
    }
    return { mean, variance };
  }

  /** Open loans alone, and open loans with the pipeline: each a mean and its band, in fen. */
  result(): BandResult {
    const loans = this.loans();
    const all = { mean: loans.mean.plus(this.pipelineMean).plus(this.accrued), variance: loans.variance.plus(this.pipelineVariance) };
    const most = this.scheduled.plus(this.pipelineScheduled).plus(this.accrued);
    const total = band(all.mean, all.variance, most);
    return {
      scheduled: formatMoney(this.scheduled),
      ...band(loans.mean, loans.variance, this.scheduled),
      pipelineScheduled: formatMoney(this.pipelineScheduled),
      pipelineExpected: formatMoney(roundFen(this.pipelineMean)),
      // What is owed already is at least paid: the band's low end never falls below it.
      total: { ...total, p10: formatMoney(Money.max(total.p10, this.accrued)) },
    };
  }
}

export interface Band {
  expected: string;
  p10: string;
  p90: string;
}

export interface BandResult extends Band {
  scheduled: string;
  pipelineScheduled: string;
  pipelineExpected: string;
  /** Open loans and the pipeline together (and, for a budget year, what is accrued and unpaid). */
  total: Band;
}

export function band(mean: Money, variance: Money, most: Money): Band {
  const spread = variance.isZero() ? new Money(0) : variance.sqrt().times(Z_P90);
  return {
    expected: formatMoney(roundFen(mean)),
    p10: formatMoney(roundFen(Money.max(0, mean.minus(spread)))),
    p90: formatMoney(roundFen(Money.min(most, mean.plus(spread)))),
  };
}

/**
 * One pipeline application within a group: it is disbursed with probability π, and then each of
 * its periods is on time with its cell's mean rate μᵢ. E = π·m with m = Σ sᵢμᵢ; Var = π·(v + m²) − (π·m)²
 * with v = Σ sᵢ²μᵢ(1−μᵢ). The sums of its periods in a group:
 */
export interface PipelineSums {
  scheduled: Money;
  m: Money;
  v: Money;
}

export const emptySums = (): PipelineSums => ({ scheduled: new Money(0), m: new Money(0), v: new Money(0) });

export function addLine(sums: PipelineSums, subsidy: Money, onTime: Money): PipelineSums {
  return {
    scheduled: sums.scheduled.plus(subsidy),
    m: sums.m.plus(subsidy.times(onTime)),
    v: sums.v.plus(subsidy.times(subsidy).times(onTime).times(new Money(1).minus(onTime))),
  };
}

export function mergeSums(a: PipelineSums, b: PipelineSums): PipelineSums {
  return { scheduled: a.scheduled.plus(b.scheduled), m: a.m.plus(b.m), v: a.v.plus(b.v) };
}

/** Adds n independent applications alike, each converting with probability π, to a group's band. */
export function addPipeline(target: BandSum, conversion: Money, n: number, sums: PipelineSums): void {
  const mean = conversion.times(sums.m);
  const variance = conversion.times(sums.v.plus(sums.m.times(sums.m))).minus(mean.times(mean));
  target.addPipeline(sums.scheduled.times(n), mean.times(n), variance.times(n));
}
