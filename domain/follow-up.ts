/**
 * Follow-up of the businesses a loan started (跟踪服务, docs/programmes.md "Follow-up of
 * businesses"): when the visits are due, what a visit records, and the business registration
 * number's check. Pure: the workflow, the API and the reports share these rules.
 */
import { addDays, addMonthsClamped, compareDates, type IsoDate } from './dates';

/** The policy's defaults (docs/programmes.md): visits at 3, 6 and 12 months, 30 days to record each. */
export const DEFAULT_FOLLOW_UP_MONTHS: readonly number[] = Object.freeze([3, 6, 12]);
export const DEFAULT_FOLLOW_UP_VISIT_DAYS = 30;

export const OPERATING_STATUSES = ['operating', 'suspended', 'closed', 'moved'] as const;
export type OperatingStatus = (typeof OPERATING_STATUSES)[number];

/** At most this many people per business: far above a start-up, far below what breaks a sum. */
export const MAX_EMPLOYEES = 100_000;

/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015), the registration number every
 * business has received since 2015: 18 characters from 31 (no I, O, S, V, Z), the last a check
 * character over the first 17 with weights 3^i mod 31. A single mistyped character always fails
 * the check (31 is prime and no weight is 0 mod 31).
 */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function usccCheckChar(first17: string): string {
  let sum = 0;
  let weight = 1;
  for (const ch of first17) {
    sum += USCC_CHARS.indexOf(ch) * weight;
    weight = (weight * 3) % 31;
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

export function isUscc(s: string): boolean {
  return USCC_SHAPE.test(s) && usccCheckChar(s.slice(0, 17)) === s[17];
}

/** One visit due: the month after disbursal it belongs to, and its dates. */
export interface DueVisit {
  months: number;
  /** The visit is due on this day (the disbursal day, `months` later, clamped to the month's end). */
  dueOn: IsoDate;
  /** Not recorded by the day before this one, it is overdue. */
  overdueOn: IsoDate;
}

/**
 * The visits of a loan: one per month of the policy's `followUpMonths`, due that many months after
 * disbursal, overdue `followUpVisitDays` days after that.
 */
export function followUpSchedule(disbursedOn: IsoDate, policy: { followUpMonths: readonly number[]; followUpVisitDays: number }): DueVisit[] {
  return [...new Set(policy.followUpMonths)]
    .sort((a, b) => a - b)
    .map((months) => {
      const dueOn = addMonthsClamped(disbursedOn, months);
      return { months, dueOn, overdueOn: addDays(dueOn, policy.followUpVisitDays + 1) };
    });
}

/** What an officer records of a visit (validated by domain/follow-up-schemas.ts). */
export interface FollowUpVisitBody {
  months: number;
  visitedOn: string;
  operatingStatus: OperatingStatus;
  employees: number;
  businessRegistrationNo: string | null;
  note: string;
}

/** Whether a visit still unrecorded on `today` is overdue. */
export const isOverdue = (v: Pick<DueVisit, 'overdueOn'>, today: IsoDate) => compareDates(today, v.overdueOn) >= 0;

/** The anniversary a business's survival is judged at: one year after disbursal. */
export const oneYearAfter = (disbursedOn: IsoDate) => addMonthsClamped(disbursedOn, 12);


/** Why a visit cannot be recorded now, or nothing: the rules the workflow's validator applies. */
export function visitRefusal(
  schedule: readonly DueVisit[],
  recorded: ReadonlySet<number>,
  b: Pick<FollowUpVisitBody, 'months' | 'visitedOn'>,
  today: IsoDate,
): { kind: 'validation' | 'conflict'; path: string; message: string } | null {
  const due = schedule.find((v) => v.months === b.months);
  if (!due) return { kind: 'validation', path: 'months', message: `must be one of this loan's visits: ${schedule.map((v) => v.months).join(', ')}` };
  if (recorded.has(b.months)) return { kind: 'conflict', path: 'months', message: `the ${b.months}-month visit is already recorded` };
  if (compareDates(due.dueOn, today) > 0) return { kind: 'validation', path: 'months', message: `the ${b.months}-month visit is not due until ${due.dueOn}` };
  if (compareDates(b.visitedOn, today) > 0) return { kind: 'validation', path: 'visitedOn', message: `must not be in the future (today is ${today})` };
  if (compareDates(b.visitedOn, due.dueOn) < 0) return { kind: 'validation', path: 'visitedOn', message: `must be on or after the due date ${due.dueOn}` };
  return null;
}
