import { Money, formatMoney, sumMoney, toMoney } from './money';
import { type IsoDate, addDays, compareDates, quarterOf } from './dates';
import type { RepaymentMethod } from './enums';
import { type SubsidyPolicy, brokenPeriodInterest, subsidyFor } from './subsidy';
import { type PlannedPeriod, periodStartOf } from './loan-plan';

export type PeriodStatus = 'scheduled' | 'partially_paid' | 'overdue' | 'paid_on_time' | 'paid_late' | 'defaulted';

/** A period of a running loan: its plan and what has been paid towards it. */
export interface LoanPeriod extends PlannedPeriod {
  /** Total paid towards this period; interest is settled first, then principal. */
  paid: string;
  /** The latest paidOn of the payments towards this period: its completion date once settled. */
  lastPaidOn: IsoDate | null;
  status: PeriodStatus;
}

/** What the loan's contract fixes, as the workflow carries it. */
export interface LoanTerms {
  repaymentMethod: RepaymentMethod;
  principal: string;
  annualRate: string;
  disbursedOn: IsoDate;
  /** The contract's term before any extension. */
  termMonths: number;
  policy: SubsidyPolicy & { graceDays: number; backdatingWindowDays: number };
}

export function openPeriods(lines: readonly PlannedPeriod[]): LoanPeriod[] {
  return lines.map((l) => ({ ...l, paid: '0.00', lastPaidOn: null, status: 'scheduled' as const }));
}

export const amountDue = (p: Pick<LoanPeriod, 'principal' | 'interest'>): Money => toMoney(p.principal).plus(p.interest);
export const remainingDue = (p: LoanPeriod): Money => amountDue(p).minus(p.paid);
export const isSettled = (p: LoanPeriod): boolean => !remainingDue(p).greaterThan(0);

/** Interest first: what of the period's payments went to interest and what to principal. */
export function paidSplit(p: LoanPeriod): { interest: Money; principal: Money } {
  const paid = toMoney(p.paid);
  const interest = Money.min(paid, p.interest);
  return { interest, principal: paid.minus(interest) };
}

export function outstandingPrincipal(principal: string, periods: readonly LoanPeriod[]): Money {
  return toMoney(principal).minus(sumMoney(periods.map((p) => paidSplit(p).principal)));
}

/** On time: paid in full by the due date plus the policy's grace days (docs/domain.md §1.6). */
export function paidOnTime(p: Pick<LoanPeriod, 'dueOn'>, completedOn: IsoDate, graceDays: number): boolean {
  return compareDates(completedOn, addDays(p.dueOn, graceDays)) <= 0;
}

export function firstUnsettled(periods: readonly LoanPeriod[]): LoanPeriod | undefined {
  return periods.find((p) => !isSettled(p));
}

export interface PayoffQuote {
  period: number;
  /** Principal outstanding at the start of the broken period. */
  principal: string;
  /** The broken period's interest by actual days / 360 (scheduled interest when paid on the due date). */
  interest: string;
  subsidy: string;
  amount: string;
}

/**
 * What repays the loan in full on `paidOn` (docs/domain.md §3.3): every period before the broken one settled,
 * nothing paid yet towards the broken one, and `paidOn` inside it and before the last due date.
 * Agrees with earlyRepaymentSchedule for a loan that was never extended.
 */
export function quotePayoff(terms: LoanTerms, periods: readonly LoanPeriod[], paidOn: IsoDate): PayoffQuote | undefined {
  const k = firstUnsettled(periods);
  const last = periods[periods.length - 1];
  if (!k || !last || compareDates(paidOn, last.dueOn) >= 0) return undefined;
  if (toMoney(k.paid).greaterThan(0)) return undefined;
  const start = periodStartOf(periods, k.period, terms.disbursedOn);
  if (compareDates(paidOn, start) <= 0 || compareDates(paidOn, k.dueOn) > 0) return undefined;
  const principal = outstandingPrincipal(terms.principal, periods);
  const interest = paidOn === k.dueOn ? toMoney(k.interest) : brokenPeriodInterest(principal, terms.annualRate, start, paidOn);
  const subsidy = k.extended ? new Money(0) : subsidyFor(interest, terms.annualRate, terms.policy);
  return {
    period: k.period,
    principal: formatMoney(principal),
    interest: formatMoney(interest),
    subsidy: formatMoney(subsidy),
    amount: formatMoney(principal.plus(interest)),
  };
}

export interface RepaymentRequest {
  period: number;
  amount: string;
  paidOn: IsoDate;
  bankReference: string;
}

/** Why a repayment is refused: `kind` tells the caller which kind of error to report. */
export interface Refusal {
  kind: 'validation' | 'conflict' | 'state';
  path: string;
  message: string;
}

export type RepaymentPlan =
  | { kind: 'scheduled'; period: number; interestPart: string; principalPart: string }
  | { kind: 'payoff'; period: number; interestPart: string; principalPart: string; quote: PayoffQuote };

/** Checks a bank's repayment report against the loan as it stands on `today`; refusals, or how it applies. */
export function planRepayment(
  terms: LoanTerms,
  periods: readonly LoanPeriod[],
  req: RepaymentRequest,
  ctx: { today: IsoDate; knownReferences: readonly string[] },
): { ok: true; plan: RepaymentPlan } | { ok: false; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const refuse = (kind: Refusal['kind'], path: string, message: string) => refusals.push({ kind, path, message });
  if (compareDates(req.paidOn, ctx.today) > 0) refuse('validation', 'paidOn', `must not be in the future (today is ${ctx.today})`);
  const earliest = addDays(ctx.today, -terms.policy.backdatingWindowDays);
  if (compareDates(req.paidOn, earliest) < 0) {
    refuse('validation', 'paidOn', `must be within the back-dating window of ${terms.policy.backdatingWindowDays} days (on or after ${earliest})`);
  }
  if (compareDates(req.paidOn, terms.disbursedOn) < 0) refuse('validation', 'paidOn', `must not be before the disbursal on ${terms.disbursedOn}`);
  if (ctx.knownReferences.includes(req.bankReference)) {
    refuse('conflict', 'bankReference', `${req.bankReference} is already recorded for this loan`);
  }
  const target = periods.find((p) => p.period === req.period);
  const last = periods[periods.length - 1]!;
  if (!target) {
    refuse('validation', 'period', `must be one of this loan's periods, 1 to ${last.period}`);
    return { ok: false, refusals };
  }
  if (isSettled(target)) {
    refuse('conflict', 'period', `period ${req.period} is already paid in full`);
    return { ok: false, refusals };
  }
  const open = firstUnsettled(periods)!;
  if (open.period < req.period) {
    refuse('state', 'period', `period ${open.period} is not paid in full yet; repayments settle the periods in order`);
    return { ok: false, refusals };
  }
  if (refusals.length) return { ok: false, refusals };

  const amount = toMoney(req.amount);
  const remaining = remainingDue(target);
  const quote = quotePayoff(terms, periods, req.paidOn);
  if (quote && quote.period === req.period && amount.equals(quote.amount) && !amount.equals(remaining)) {
    return { ok: true, plan: { kind: 'payoff', period: req.period, interestPart: quote.interest, principalPart: quote.principal, quote } };
  }
  if (amount.greaterThan(remaining)) {
    const payoff = quote && quote.period === req.period ? ` (or exactly ${quote.amount} to repay the whole loan on ${req.paidOn})` : '';
    refuse('validation', 'amount', `must be at most ${formatMoney(remaining)}, what is still due for period ${req.period}${payoff}`);
    return { ok: false, refusals };
  }
  const interestLeft = toMoney(target.interest).minus(paidSplit(target).interest);
  const interestPart = Money.min(amount, interestLeft);
  return {
    ok: true,
    plan: { kind: 'scheduled', period: req.period, interestPart: formatMoney(interestPart), principalPart: formatMoney(amount.minus(interestPart)) },
  };
}

export interface AppliedRepayment {
  periods: LoanPeriod[];
  /** Set when this payment settled its period. */
  settled: { period: number; onTime: boolean; subsidy: string; dueOn: IsoDate; quarter: string } | null;
  repaidInFull: boolean;
}

/** The loan after a planned repayment (pure; the caller records it). */
export function applyRepayment(terms: LoanTerms, periods: readonly LoanPeriod[], plan: RepaymentPlan, paidOn: IsoDate): AppliedRepayment {
  let next: LoanPeriod[];
  if (plan.kind === 'payoff') {
    const broken = periods.find((p) => p.period === plan.period)!;
    const q = plan.quote;
    next = [
      ...periods.filter((p) => p.period < plan.period),
      {
        ...broken,
        dueOn: paidOn,
        quarter: quarterOf(paidOn),
        principal: q.principal,
        interest: q.interest,
        subsidy: q.subsidy,
        outstandingAfter: '0.00',
        paid: q.amount,
        lastPaidOn: paidOn,
        status: 'paid_on_time',
      },
    ];
  } else {
    next = periods.map((p) => {
      if (p.period !== plan.period) return p;
      const paid = toMoney(p.paid).plus(plan.interestPart).plus(plan.principalPart);
      const lastPaidOn = p.lastPaidOn && compareDates(p.lastPaidOn, paidOn) > 0 ? p.lastPaidOn : paidOn;
      const updated: LoanPeriod = { ...p, paid: formatMoney(paid), lastPaidOn };
      if (isSettled(updated)) {
        updated.status = paidOnTime(p, lastPaidOn, terms.policy.graceDays) ? 'paid_on_time' : 'paid_late';
      } else if (p.status === 'scheduled') {
        updated.status = 'partially_paid';
      }
      return updated;
    });
  }
  const after = next.find((p) => p.period === plan.period)!;
  const settled = isSettled(after)
    ? {
        period: after.period,
        onTime: after.status === 'paid_on_time',
        subsidy: after.status === 'paid_on_time' ? after.subsidy : '0.00',
        dueOn: after.dueOn,
        quarter: after.quarter,
      }
    : null;
  return { periods: next, settled, repaidInFull: next.every(isSettled) };
}
