import { toMoney } from './money';
import { type IsoDate, compareDates } from './dates';
import { planPeriods, periodStartOf } from './loan-plan';
import { type LoanPeriod, type LoanTerms, type Refusal, openPeriods } from './repayment';

export interface ExtensionRequest {
  months: number;
}

/**
 * One extension (展期) of up to the policy's extensionMaxMonths: the periods already due stay as
 * they are; the first period not yet due and everything after it is re-planned over the longer
 * term for the principal outstanding at its start. Periods beyond the contract's original term
 * are extended periods and earn no subsidy (docs/domain.md §1.6).
 */
export function planExtension(
  terms: LoanTerms,
  periods: readonly LoanPeriod[],
  req: ExtensionRequest,
  ctx: { today: IsoDate; extendedBefore: boolean; extensionMaxMonths: number },
): { ok: true; periods: LoanPeriod[]; firstReplanned: number } | { ok: false; refusals: Refusal[] } {
  const refuse = (kind: Refusal['kind'], path: string, message: string) => ({ ok: false as const, refusals: [{ kind, path, message }] });
  if (ctx.extensionMaxMonths < 1) return refuse('state', 'months', "this loan's policy allows no extension");
  if (ctx.extendedBefore) return refuse('state', 'months', 'this loan has been extended once already; only one extension is allowed');
  if (!Number.isSafeInteger(req.months) || req.months < 1 || req.months > ctx.extensionMaxMonths) {
    return refuse('validation', 'months', `must be a whole number of months from 1 to ${ctx.extensionMaxMonths}`);
  }
  const first = periods.find((p) => compareDates(p.dueOn, ctx.today) > 0);
  if (!first) return refuse('state', 'months', 'the loan has reached its maturity; an extension must be agreed before the last due date');
  const replanned = periods.filter((p) => p.period >= first.period);
  const touched = replanned.find((p) => toMoney(p.paid).greaterThan(0));
  if (touched) {
    return refuse('state', 'months', `period ${touched.period} has payments already; only periods not yet paid towards can be re-planned`);
  }
  const lastPeriod = periods[periods.length - 1]!.period + req.months;
  const outstanding = first.period === 1 ? terms.principal : periods.find((p) => p.period === first.period - 1)!.outstandingAfter;
  const plan = planPeriods({
    repaymentMethod: terms.repaymentMethod,
    annualRate: terms.annualRate,
    disbursedOn: terms.disbursedOn,
    firstPeriod: first.period,
    periodStart: periodStartOf(periods, first.period, terms.disbursedOn),
    outstanding,
    lastPeriod,
    subsidisedUntil: terms.termMonths,
    policy: terms.policy,
  });
  return { ok: true, periods: [...periods.filter((p) => p.period < first.period), ...openPeriods(plan)], firstReplanned: first.period };
}
