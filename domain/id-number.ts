import { type IsoDate, formatIsoDate, isRealCalendarDate, parseIsoDate } from './dates';

/**
 * PRC 18-character resident identity number (GB 11643-1999): 6 digits of region, 8 of
 * birth date (YYYYMMDD), 3 of sequence, and an ISO 7064 MOD 11-2 check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

/** People alive and applying were born after this; earlier years are typos. */
const EARLIEST_BIRTH_YEAR = 1900;

export function checkCharFor(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** The canonical form: a lowercase check 'x' is the same number as 'X'. */
export function normaliseIdNumber(s: string): string {
  return s.toUpperCase();
}

/** The first thing wrong with an (already normalised) number, or undefined when valid. */
export function idNumberProblem(id: string): string | undefined {
  if (!SHAPE.test(id)) return 'must be 18 characters: 17 digits then a digit or X';
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const written = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealCalendarDate(year, month, day)) return `birth date ${written} is not a real date`;
  if (year < EARLIEST_BIRTH_YEAR) return `birth date ${written} is before ${EARLIEST_BIRTH_YEAR}`;
  if (checkCharFor(id.slice(0, 17)) !== id[17]) return 'check digit is wrong';
  return undefined;
}

export function isValidIdNumber(s: string): boolean {
  return idNumberProblem(normaliseIdNumber(s)) === undefined;
}

function assertValid(s: string): string {
  const id = normaliseIdNumber(s);
  const problem = idNumberProblem(id);
  if (problem) throw new RangeError(`invalid ID number: ${problem}`);
  return id;
}

export function birthDateOf(idNumber: string): IsoDate {
  const id = assertValid(idNumber);
  return formatIsoDate({
    year: Number(id.slice(6, 10)),
    month: Number(id.slice(10, 12)),
    day: Number(id.slice(12, 14)),
  });
}

/**
 * Full years on the given day. Someone born on 29 February turns a year older on
 * 1 March in common years, the reading that never makes a person older early.
 * Negative when the day is before the birth.
 */
export function ageOn(idNumber: string, date: IsoDate): number {
  const birth = parseIsoDate(birthDateOf(idNumber));
  const on = parseIsoDate(date);
  let age = on.year - birth.year;
  const birthdayReached = on.month > birth.month || (on.month === birth.month && on.day >= birth.day);
  if (!birthdayReached) age -= 1;
  return age;
}
