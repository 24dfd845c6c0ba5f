import { z } from 'zod';
import { addDays, addMonthsClamped, compareDates, type IsoDate } from './dates';
import { Money, formatMoney } from './money';

/**
 * The money programmes beside the interest subsidy (docs/programmes.md): their funds' years, the
 * training subsidy tied to results and the incubator rewards. Pure rules; the numbers are policy
 * parameters (domain/policy.ts).
 */
export const programmes = ['interest_subsidy', 'training_subsidy', 'incubator_rewards'] as const;
export const programmeSchema = z.enum(programmes);
export type Programme = z.infer<typeof programmeSchema>;

/** A fund's year has ended once the business date is past its 31 December. */
export function yearHasEnded(year: number, today: IsoDate): boolean {
  return compareDates(today, `${year}-12-31`) > 0;
}

/** The first day on which a fund of `year` may lapse. */
export function dayAfterYearEnd(year: number): IsoDate {
  return `${year + 1}-01-01`;
}

// ---- training subsidy tied to results ---------------------------------------------------------

/** A base claim pays the trainees who passed; an outcome claim, later, those who started a business. */
export const trainingClaimParts = ['base', 'outcome'] as const;
export type TrainingClaimPart = (typeof trainingClaimParts)[number];

export interface TrainingSubsidyParams {
  basePerPassed: string;
  outcomePerStarted: string;
  outcomeMonths: number;
}

/** The last day a business started by a trainee certified on `issuedOn` still counts. */
export function outcomeWindowEnd(issuedOn: IsoDate, months: number): IsoDate {
  return addMonthsClamped(issuedOn, months);
}

/** A business started on `startedOn` counts for a trainee certified on `issuedOn` when inside the window. */
export function startedWithinWindow(issuedOn: IsoDate, startedOn: IsoDate, months: number): boolean {
  return compareDates(startedOn, issuedOn) >= 0 && compareDates(startedOn, outcomeWindowEnd(issuedOn, months)) <= 0;
}

/** The outcome part of a class may be claimed once every trainee's window has closed: the day after the last one ends. */
export function outcomeClaimableFrom(issuedOns: readonly IsoDate[], months: number): IsoDate {
  const last = issuedOns.reduce((a, b) => (compareDates(a, b) >= 0 ? a : b));
  return addDays(outcomeWindowEnd(last, months), 1);
}

/** The amount of a claim: the part's rate times the trainees it pays, exact to the fen. */
export function trainingClaimAmount(part: TrainingClaimPart, trainees: number, p: TrainingSubsidyParams): string {
  return formatMoney(new Money(part === 'base' ? p.basePerPassed : p.outcomePerStarted).times(trainees));
}

// ---- incubator rewards ------------------------------------------------------------------------

/**
 * The events an incubated enterprise is rewarded for: recognition as a high-tech enterprise; a
 * listing on a regional equity exchange or the NEEQ; a move from the regional exchange to the NEEQ
 * (after a rewarded regional listing). Which of them the policy in force rewards, and how much and
 * within which window, are policy parameters.
 */
export const incubatorEventKinds = ['high_tech', 'listing', 'neeq_transfer'] as const;
export const incubatorEventKindSchema = z.enum(incubatorEventKinds);
export type IncubatorEventKind = z.infer<typeof incubatorEventKindSchema>;
export const exchanges = ['regional', 'neeq'] as const;
export const exchangeSchema = z.enum(exchanges);
export type Exchange = z.infer<typeof exchangeSchema>;

export interface IncubatorRewardRule {
  /** Paid to the operator and, again, to the enterprise. */
  amountEach: string;
  /** The event counts while incubated and up to this many months after graduation; null: any time after entry. */
  monthsAfterGraduation: number | null;
}

/** Whether an event on `eventOn` falls in the rule's window for an enterprise that entered and (maybe) graduated. */
export function inRewardWindow(rule: IncubatorRewardRule, enteredOn: IsoDate, graduatedOn: IsoDate | null, eventOn: IsoDate): boolean {
  if (compareDates(eventOn, enteredOn) < 0) return false;
  if (graduatedOn === null || rule.monthsAfterGraduation === null) return true;
  return compareDates(eventOn, addMonthsClamped(graduatedOn, rule.monthsAfterGraduation)) <= 0;
}

/** The last day of the window, or null when it has none (yet: not graduated, or no limit). */
export function rewardWindowEnd(rule: IncubatorRewardRule, graduatedOn: IsoDate | null): IsoDate | null {
  return graduatedOn === null || rule.monthsAfterGraduation === null ? null : addMonthsClamped(graduatedOn, rule.monthsAfterGraduation);
}
