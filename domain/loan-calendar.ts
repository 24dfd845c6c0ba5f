import { type IsoDate, addDays, compareDates, toEpochDay } from './dates';
import { type LoanPeriod, isSettled } from './repayment';

const DAY_MS = 24 * 3600 * 1000;
/** The business calendar is China Standard Time, UTC+8 all year (see business-day.ts). */
const OFFSET_MS = 8 * 3600 * 1000;

/** The instant a business date begins (00:00 UTC+8): where a loan's timers are set. */
export function businessDayStartMs(date: IsoDate): number {
  return toEpochDay(date) * DAY_MS - OFFSET_MS;
}

export interface CheckpointPolicy {
  graceDays: number;
  defaultAfterDays: number;
}

/** First day an unsettled period counts as late: its due date and the grace days have passed. */
export const overdueFrom = (p: Pick<LoanPeriod, 'dueOn'>, policy: CheckpointPolicy): IsoDate => addDays(p.dueOn, policy.graceDays + 1);

/** First day an unsettled period has been overdue past the threshold (docs/domain.md §1.9). */
export const defaultFrom = (p: Pick<LoanPeriod, 'dueOn'>, policy: CheckpointPolicy): IsoDate => addDays(p.dueOn, policy.defaultAfterDays + 1);

export interface DueCheckpoints {
  /** Periods to mark overdue now. */
  overdue: number[];
  /** The period whose overdue days have passed the threshold, if any: the loan is in default. */
  defaultPeriod: number | null;
}

export function dueCheckpoints(periods: readonly LoanPeriod[], today: IsoDate, policy: CheckpointPolicy): DueCheckpoints {
  const open = periods.filter((p) => !isSettled(p));
  const late = open.find((p) => compareDates(defaultFrom(p, policy), today) <= 0);
  return {
    overdue: open.filter((p) => p.status !== 'overdue' && compareDates(overdueFrom(p, policy), today) <= 0).map((p) => p.period),
    defaultPeriod: late ? late.period : null,
  };
}

/** The next business date on which dueCheckpoints may find something to do; undefined when nothing is open. */
export function nextCheckpoint(periods: readonly LoanPeriod[], policy: CheckpointPolicy): IsoDate | undefined {
  let next: IsoDate | undefined;
  const consider = (d: IsoDate) => {
    if (next === undefined || compareDates(d, next) < 0) next = d;
  };
  for (const p of periods) {
    if (isSettled(p)) continue;
    if (p.status !== 'overdue') consider(overdueFrom(p, policy));
    consider(defaultFrom(p, policy));
  }
  return next;
}
