import { type MoneyLike, Money, roundFen, toMoney } from './money';
import { type IsoDate, daysBetween } from './dates';
import type { PolicyParams } from './policy';

/** The policy fields the subsidy depends on; the share or the floor is needed by its mode only. */
export type SubsidyPolicy = Pick<PolicyParams, 'subsidyMode'> & Partial<Pick<PolicyParams, 'subsidyShare' | 'borrowerRateFloor'>>;

/** Actual/360, the day count for bullet interest and for a broken period (docs/domain.md §3.3). */
const DAY_BASIS = 360;

/**
 * The special fund's part of one period's interest (docs/domain.md §3.4), rounded once. `interest` is
 * the period's interest as due (already in fen): the subsidy is a share of what the
 * borrower actually owes, not of an unrounded figure nobody pays.
 */
export function subsidyFor(interest: MoneyLike, annualRate: MoneyLike, policy: SubsidyPolicy): Money {
  const i = toMoney(interest);
  const rate = toMoney(annualRate);
  switch (policy.subsidyMode) {
    case 'share_of_interest': {
      if (policy.subsidyShare === undefined) throw new TypeError('subsidyShare is required for share_of_interest');
      return roundFen(i.times(policy.subsidyShare));
    }
    case 'above_borrower_rate': {
      if (policy.borrowerRateFloor === undefined) throw new TypeError('borrowerRateFloor is required for above_borrower_rate');
      const floor = toMoney(policy.borrowerRateFloor);
      if (!rate.greaterThan(floor)) return new Money(0);
      return roundFen(i.times(rate.minus(floor)).dividedBy(rate));
    }
  }
}

/**
 * Interest on `outstanding` from one date to another by actual days / 360, rounded once:
 * a bullet period's interest, and the broken period of an early full repayment.
 */
export function brokenPeriodInterest(outstanding: MoneyLike, annualRate: MoneyLike, fromDate: IsoDate, toDate: IsoDate): Money {
  const days = daysBetween(fromDate, toDate);
  if (days < 0) throw new RangeError(`interest period ends (${toDate}) before it starts (${fromDate})`);
  return roundFen(toMoney(outstanding).times(annualRate).times(days).dividedBy(DAY_BASIS));
}
