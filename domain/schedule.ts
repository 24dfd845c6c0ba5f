import { type MoneyLike, Money, formatMoney, roundFen, sumMoney, toMoney } from './money';
import { type IsoDate, type Quarter, addMonthsClamped, compareDates, isIsoDate, quarterOf } from './dates';
import type { RepaymentMethod } from './enums';
import { type SubsidyPolicy, brokenPeriodInterest, subsidyFor } from './subsidy';

export interface ScheduleInput {
  repaymentMethod: RepaymentMethod;
  /** Principal disbursed, in fen. */
  amount: MoneyLike;
  /** Fraction, "0.0435" for 4.35% a year. */
  annualRate: MoneyLike;
  disbursedOn: IsoDate;
  termMonths: number;
  policy: SubsidyPolicy;
}

/** One period as it travels: every amount a two-decimal string. */
export interface ScheduleLine {
  period: number;
  dueOn: IsoDate;
  /** A period belongs to the quarter of its due date (docs/domain.md §1.7). */
  quarter: Quarter;
  principal: string;
  interest: string;
  subsidy: string;
  outstandingAfter: string;
}

/** Equal instalments accrue by the monthly rate, not by days (docs/domain.md §3.3). */
const MONTHS_PER_YEAR = 12;

function checkInput(input: ScheduleInput): { amount: Money; rate: Money } {
  const amount = toMoney(input.amount);
  const rate = toMoney(input.annualRate);
  if (!amount.greaterThan(0) || amount.decimalPlaces() > 2) throw new RangeError(`amount must be a positive fen amount: ${amount}`);
  if (rate.isNegative() || rate.greaterThan(1)) throw new RangeError(`annualRate must be a fraction within [0, 1]: ${rate}`);
  if (!Number.isSafeInteger(input.termMonths) || input.termMonths < 1) {
    throw new RangeError(`termMonths must be a whole number of at least 1: ${input.termMonths}`);
  }
  if (!isIsoDate(input.disbursedOn)) throw new RangeError(`disbursedOn must be a real YYYY-MM-DD date: ${input.disbursedOn}`);
  if (!['monthly_interest_bullet', 'equal_instalment'].includes(input.repaymentMethod)) {
    throw new RangeError(`unknown repaymentMethod: ${String(input.repaymentMethod)}`);
  }
  return { amount, rate };
}

/** Due dates keep the disbursal's day of month, counted from the disbursal (never chained). */
export function dueDates(disbursedOn: IsoDate, termMonths: number): IsoDate[] {
  return Array.from({ length: termMonths }, (_, i) => addMonthsClamped(disbursedOn, i + 1));
}

/**
 * P·r·(1+r)^n / ((1+r)^n − 1), rounded once; with a zero rate simply P / n. The instalment
 * is itself an amount the borrower is told, so it is a fen figure.
 */
export function equalInstalment(amount: MoneyLike, monthlyRate: MoneyLike, n: number): Money {
  const p = toMoney(amount);
  const r = toMoney(monthlyRate);
  if (r.isZero()) return roundFen(p.dividedBy(n));
  const growth = r.plus(1).pow(n);
  return roundFen(p.times(r).times(growth).dividedBy(growth.minus(1)));
}

interface Part {
  principal: Money;
  interest: Money;
}

function line(period: number, dueOn: IsoDate, part: Part, outstandingAfter: Money, rate: Money, policy: SubsidyPolicy): ScheduleLine {
  return {
    period,
    dueOn,
    quarter: quarterOf(dueOn),
    principal: formatMoney(part.principal),
    interest: formatMoney(part.interest),
    subsidy: formatMoney(subsidyFor(part.interest, rate, policy)),
    outstandingAfter: formatMoney(outstandingAfter),
  };
}

/**
 * The repayment schedule of docs/domain.md §3.3, reproducing test/fixtures/schedules.json
 * to the fen. Pure: the same input always gives the same lines.
 */
export function buildSchedule(input: ScheduleInput): ScheduleLine[] {
  const { amount, rate } = checkInput(input);
  const dates = dueDates(input.disbursedOn, input.termMonths);
  const n = dates.length;
  const monthlyRate = rate.dividedBy(MONTHS_PER_YEAR);
  const instalment = input.repaymentMethod === 'equal_instalment' ? equalInstalment(amount, monthlyRate, n) : undefined;

  const lines: ScheduleLine[] = [];
  let outstanding = amount;
  let previous = input.disbursedOn;
  dates.forEach((dueOn, i) => {
    const last = i === n - 1;
    let part: Part;
    if (instalment === undefined) {
      part = {
        interest: brokenPeriodInterest(outstanding, rate, previous, dueOn),
        principal: last ? outstanding : new Money(0),
      };
    } else {
      const interest = roundFen(outstanding.times(monthlyRate));
      // Clamped so a tiny loan whose rounded instalment overshoots can never go negative.
      const principal = last ? outstanding : Money.min(Money.max(instalment.minus(interest), 0), outstanding);
      part = { interest, principal };
    }
    outstanding = outstanding.minus(part.principal);
    lines.push(line(i + 1, dueOn, part, outstanding, rate, input.policy));
    previous = dueOn;
  });
  return lines;
}

/**
 * The schedule when the borrower repays everything on `repaidOn`, before the last due
 * date: periods due up to then stay as scheduled, and the period in which the repayment
 * falls becomes the last one, due on `repaidOn`, with all outstanding principal and the
 * broken period's interest by actual days / 360 (docs/domain.md §3.3). Its subsidy follows that
 * interest, so early repayment earns subsidy for the actual days. A repayment exactly on
 * a due date does not break the period: that period's scheduled interest stands.
 */
export function earlyRepaymentSchedule(input: ScheduleInput, repaidOn: IsoDate): ScheduleLine[] {
  const full = buildSchedule(input);
  const lastDue = full[full.length - 1]!.dueOn;
  if (!isIsoDate(repaidOn)) throw new RangeError(`repaidOn must be a real YYYY-MM-DD date: ${repaidOn}`);
  if (compareDates(repaidOn, input.disbursedOn) <= 0) throw new RangeError(`repaidOn ${repaidOn} must be after the disbursal on ${input.disbursedOn}`);
  if (compareDates(repaidOn, lastDue) >= 0) throw new RangeError(`repaidOn ${repaidOn} is not before the last due date ${lastDue}`);

  const k = full.findIndex((l) => compareDates(repaidOn, l.dueOn) <= 0);
  const broken = full[k]!;
  const before = full.slice(0, k);
  const outstanding = toMoney(k === 0 ? checkInput(input).amount : before[k - 1]!.outstandingAfter);
  const periodStart = k === 0 ? input.disbursedOn : before[k - 1]!.dueOn;
  const rate = toMoney(input.annualRate);
  const interest = repaidOn === broken.dueOn ? toMoney(broken.interest) : brokenPeriodInterest(outstanding, rate, periodStart, repaidOn);
  return [...before, line(broken.period, repaidOn, { principal: outstanding, interest }, new Money(0), rate, input.policy)];
}

export interface ScheduleTotals {
  principal: string;
  interest: string;
  subsidy: string;
}

export function scheduleTotals(lines: readonly ScheduleLine[]): ScheduleTotals {
  return {
    principal: formatMoney(sumMoney(lines.map((l) => l.principal))),
    interest: formatMoney(sumMoney(lines.map((l) => l.interest))),
    subsidy: formatMoney(sumMoney(lines.map((l) => l.subsidy))),
  };
}

/** Subsidy per quarter of the due dates, quarters in calendar order: what the bank may claim. */
export function subsidyByQuarter(lines: readonly ScheduleLine[]): Record<Quarter, string> {
  const totals = new Map<Quarter, Money>();
  for (const l of lines) totals.set(l.quarter, (totals.get(l.quarter) ?? new Money(0)).plus(l.subsidy));
  const out: Record<Quarter, string> = {};
  for (const q of [...totals.keys()].sort()) out[q] = formatMoney(totals.get(q)!);
  return out;
}
