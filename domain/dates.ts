/**
 * Calendar dates as plain 'YYYY-MM-DD' strings. The arithmetic is integer day counting
 * (days since 1970-01-01 in the proleptic Gregorian calendar), not JS Date, so no time
 * zone or daylight-saving shift can move a due date, and workflows stay deterministic.
 */
export type IsoDate = string;

/** 'YYYYQn', e.g. '2027Q1'. */
export type Quarter = string;

// No zod here: workflows import this file. The wire schemas are in date-schemas.ts.
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const QUARTER = /^(\d{4})Q([1-4])$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isRealCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Undefined for anything that is not a real calendar date in 'YYYY-MM-DD' form. */
export function tryParseIsoDate(s: string): CalendarDate | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isRealCalendarDate(year, month, day) ? { year, month, day } : undefined;
}

export function isIsoDate(s: unknown): s is IsoDate {
  return typeof s === 'string' && tryParseIsoDate(s) !== undefined;
}

export function parseIsoDate(s: IsoDate): CalendarDate {
  const d = tryParseIsoDate(s);
  if (!d) throw new RangeError(`not a real date in YYYY-MM-DD form: ${JSON.stringify(s)}`);
  return d;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatIsoDate({ year, month, day }: CalendarDate): IsoDate {
  if (year < 0 || year > 9999 || !isRealCalendarDate(year, month, day)) {
    throw new RangeError(`not a representable date: ${year}-${month}-${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function toEpochDay(s: IsoDate): number {
  const { year, month, day } = parseIsoDate(s);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of toEpochDay (civil_from_days). */
export function fromEpochDay(n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole day number: ${n}`);
  const z0 = n + 719468;
  const era = Math.floor(z0 / 146097);
  const doe = z0 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatIsoDate({ year, month, day });
}

/**
 * The years a date or quarter on the wire may name. PostgreSQL has no year 0 (and the domain's
 * arithmetic would walk a date past 9999), so a date outside what the business can mean is refused
 * where it arrives, not by the database or a workflow halfway through.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;
export const DATE_RANGE_MESSAGE = `must be between ${MIN_YEAR}-01-01 and ${MAX_YEAR}-12-31`;

export function inYearRange(year: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

export function addDays(date: IsoDate, n: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + n);
}

/** Actual days from a to b: positive when b is later. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  const d = toEpochDay(a) - toEpochDay(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) >= 0 ? a : b;
}

/**
 * The start's day of month, n months on, clamped to the month's end. Always counted from
 * the start, never chained: 01-31 + 1 is 02-28 but + 2 is 03-31, not 03-28.
 */
export function addMonthsClamped(start: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of months: ${n}`);
  const { year, month, day } = parseIsoDate(start);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/**
 * Whole months from a to b (a ≤ b): the largest n with addMonthsClamped(a, n) ≤ b. So a
 * month after 01-31 is reached on 02-28 (the clamped anniversary), as with due dates.
 */
export function fullMonthsBetween(a: IsoDate, b: IsoDate): number {
  if (compareDates(a, b) > 0) return -fullMonthsBetween(b, a);
  const pa = parseIsoDate(a);
  const pb = parseIsoDate(b);
  let n = (pb.year - pa.year) * 12 + (pb.month - pa.month);
  while (n > 0 && compareDates(addMonthsClamped(a, n), b) > 0) n -= 1;
  return n;
}

function parseQuarter(q: Quarter): { year: number; q: number } {
  const m = QUARTER.exec(q);
  if (!m) throw new RangeError(`not a quarter like 2027Q1: ${JSON.stringify(q)}`);
  return { year: Number(m[1]), q: Number(m[2]) };
}

export function quarterOf(date: IsoDate): Quarter {
  const { year, month } = parseIsoDate(date);
  return `${pad(year, 4)}Q${Math.floor((month - 1) / 3) + 1}`;
}

/** First and last day of the quarter, both inclusive. */
export function quarterBounds(quarter: Quarter): { start: IsoDate; end: IsoDate } {
  const { year, q } = parseQuarter(quarter);
  const firstMonth = (q - 1) * 3 + 1;
  const lastMonth = firstMonth + 2;
  return {
    start: formatIsoDate({ year, month: firstMonth, day: 1 }),
    end: formatIsoDate({ year, month: lastMonth, day: daysInMonth(year, lastMonth) }),
  };
}

export function nextQuarter(quarter: Quarter): Quarter {
  return quarterOf(addDays(quarterBounds(quarter).end, 1));
}

export function previousQuarter(quarter: Quarter): Quarter {
  return quarterOf(addDays(quarterBounds(quarter).start, -1));
}

export function compareQuarters(a: Quarter, b: Quarter): -1 | 0 | 1 {
  return compareDates(quarterBounds(a).start, quarterBounds(b).start);
}
