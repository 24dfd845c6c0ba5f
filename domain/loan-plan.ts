import { type MoneyLike, Money, formatMoney, roundFen, toMoney } from './money';
import { type IsoDate, addMonthsClamped, quarterOf } from './dates';
import type { RepaymentMethod } from './enums';
import { type SubsidyPolicy, brokenPeriodInterest, subsidyFor } from './subsidy';
import { type ScheduleLine, equalInstalment } from './schedule';

/** A schedule line as a loan carries it: extended periods earn no subsidy (docs/domain.md §1.6). */
export interface PlannedPeriod extends ScheduleLine {
  extended: boolean;
}

export interface PlanFrom {
  repaymentMethod: RepaymentMethod;
  annualRate: MoneyLike;
  /** Due dates are always counted from the disbursal, never chained (docs/domain.md §3.3). */
  disbursedOn: IsoDate;
  /** First period to plan, its start date and the principal outstanding at that start. */
  firstPeriod: number;
  periodStart: IsoDate;
  outstanding: MoneyLike;
  /** Last period of the (possibly extended) term. */
  lastPeriod: number;
  /** Periods after this one are extension periods and earn no subsidy. */
  subsidisedUntil: number;
  policy: SubsidyPolicy;
}

const MONTHS_PER_YEAR = 12;

/**
 * Periods firstPeriod..lastPeriod for the principal outstanding at firstPeriod's start, by the
 * same conventions as buildSchedule: planned from period 1 on the original term it gives the
 * same lines, and planned from a later period it re-plans what is left (an extension).
 */
export function planPeriods(from: PlanFrom): PlannedPeriod[] {
  const rate = toMoney(from.annualRate);
  const n = from.lastPeriod - from.firstPeriod + 1;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`nothing to plan from period ${from.firstPeriod} to ${from.lastPeriod}`);
  const monthlyRate = rate.dividedBy(MONTHS_PER_YEAR);
  let outstanding = toMoney(from.outstanding);
  const instalment = from.repaymentMethod === 'equal_instalment' ? equalInstalment(outstanding, monthlyRate, n) : undefined;
  const lines: PlannedPeriod[] = [];
  let previous = from.periodStart;
  for (let period = from.firstPeriod; period <= from.lastPeriod; period++) {
    const dueOn = addMonthsClamped(from.disbursedOn, period);
    const last = period === from.lastPeriod;
    let interest: Money;
    let principal: Money;
    if (instalment === undefined) {
      interest = brokenPeriodInterest(outstanding, rate, previous, dueOn);
      principal = last ? outstanding : new Money(0);
    } else {
      interest = roundFen(outstanding.times(monthlyRate));
      principal = last ? outstanding : Money.min(Money.max(instalment.minus(interest), 0), outstanding);
    }
    outstanding = outstanding.minus(principal);
    const extended = period > from.subsidisedUntil;
    lines.push({
      period,
      dueOn,
      quarter: quarterOf(dueOn),
      principal: formatMoney(principal),
      interest: formatMoney(interest),
      subsidy: extended ? '0.00' : formatMoney(subsidyFor(interest, rate, from.policy)),
      outstandingAfter: formatMoney(outstanding),
      extended,
    });
    previous = dueOn;
  }
  return lines;
}

/** The start of a period: the previous due date, or the disbursal for the first. */
export function periodStartOf(lines: readonly Pick<ScheduleLine, 'period' | 'dueOn'>[], period: number, disbursedOn: IsoDate): IsoDate {
  if (period === 1) return disbursedOn;
  const prev = lines.find((l) => l.period === period - 1);
  if (!prev) throw new RangeError(`no period ${period - 1} before period ${period}`);
  return prev.dueOn;
}
