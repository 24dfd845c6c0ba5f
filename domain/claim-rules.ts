import { type IsoDate, type Quarter, addDays, addMonthsClamped, compareDates, nextQuarter, quarterBounds } from './dates';

/** Claims are filed once the quarter has ended (docs/domain.md §1.7). */
/** One on-time period claimed for its subsidy, with the loan's principal at the quarter's start and end. */
export interface ClaimLine {
  loanId: string;
  period: number;
  amount: string;
  dueOn: IsoDate;
  balanceAtStart: string;
  balanceAtEnd: string;
}

export function quarterHasEnded(quarter: Quarter, today: IsoDate): boolean {
  return compareDates(today, quarterBounds(quarter).end) > 0;
}

/** The last day of the normal filing window: the end of the first month of the next quarter. */
export function claimDueBy(quarter: Quarter): IsoDate {
  return addDays(addMonthsClamped(quarterBounds(nextQuarter(quarter)).start, 1), -1);
}

/** A claim filed after the first month of the next quarter is accepted and marked late. */
export function claimIsLate(quarter: Quarter, filedOn: IsoDate): boolean {
  return compareDates(filedOn, claimDueBy(quarter)) > 0;
}
