import { Money, formatMoney, roundFen, sumMoney, toMoney } from './money';
import { type IsoDate, compareDates } from './dates';
import type { LossSharing } from './policy';
import { type LoanPeriod, isSettled, outstandingPrincipal, paidSplit } from './repayment';

export interface Loss {
  /** Principal still outstanding. */
  principal: string;
  /** Interest of the periods due by the default date and not paid. */
  interest: string;
  total: string;
}

/** What the borrower owes when the loan defaults: the compensation (代偿) is split from it. */
export function defaultLoss(principal: string, periods: readonly LoanPeriod[], on: IsoDate): Loss {
  const p = outstandingPrincipal(principal, periods);
  const interest = sumMoney(
    periods
      .filter((x) => !isSettled(x) && compareDates(x.dueOn, on) <= 0)
      .map((x) => toMoney(x.interest).minus(paidSplit(x).interest)),
  );
  return { principal: formatMoney(p), interest: formatMoney(interest), total: formatMoney(p.plus(interest)) };
}

export interface LossSplit {
  guaranteeFund: string;
  bank: string;
  guaranteeCompany: string;
}

const PARTIES = ['guaranteeFund', 'bank', 'guaranteeCompany'] as const;

/**
 * The loss split by the policy's loss sharing, each part rounded once. The parts must add up to
 * the loss exactly, so the party with the largest share (the first of equals, in the order fund,
 * bank, company) absorbs the fen or two that rounding leaves over.
 */
export function splitLoss(total: string, sharing: LossSharing): LossSplit {
  const loss = toMoney(total);
  const parts = PARTIES.map((k) => roundFen(loss.times(sharing[k])));
  let largest = 0;
  PARTIES.forEach((k, i) => {
    if (toMoney(sharing[k]).greaterThan(sharing[PARTIES[largest]!])) largest = i;
  });
  const rest = loss.minus(sumMoney(parts));
  parts[largest] = Money.max(parts[largest]!.plus(rest), 0);
  return { guaranteeFund: formatMoney(parts[0]!), bank: formatMoney(parts[1]!), guaranteeCompany: formatMoney(parts[2]!) };
}

/**
 * How a recovery from the borrower repays the guarantee fund and the guarantee company, pro rata
 * to what each compensated. Computed on the running total so the parts never drift: once the
 * whole receivable is recovered each party has exactly what it paid.
 */
export function allocateRecovery(
  compensated: { guaranteeFund: string; guaranteeCompany: string },
  recoveredBefore: string,
  amount: string,
): { guaranteeFund: string; guaranteeCompany: string } {
  const fund = toMoney(compensated.guaranteeFund);
  const receivable = fund.plus(compensated.guaranteeCompany);
  if (!receivable.greaterThan(0)) throw new RangeError('nothing was compensated, so nothing can be recovered');
  const fundShareOf = (r: Money) => roundFen(r.times(fund).dividedBy(receivable));
  const before = toMoney(recoveredBefore);
  const after = before.plus(amount);
  const toFund = fundShareOf(after).minus(fundShareOf(before));
  return { guaranteeFund: formatMoney(toFund), guaranteeCompany: formatMoney(toMoney(amount).minus(toFund)) };
}
