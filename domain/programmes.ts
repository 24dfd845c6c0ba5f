import { z } from 'zod';
import { compareDates, type IsoDate } from './dates';

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
