/**
 * Dates and quarters as the API and imports accept them: zod schemas built on dates.ts's rules,
 * kept apart so that workflow code does not bundle zod (test/workflows/bundle.test.ts).
 */
import { z } from 'zod';
import { DATE_RANGE_MESSAGE, ISO_DATE, MAX_YEAR, MIN_YEAR, QUARTER, inYearRange, tryParseIsoDate } from './dates';

export const isoDateSchema = z
  .string({ error: 'must be a date in YYYY-MM-DD form' })
  .regex(ISO_DATE, 'must be a date in YYYY-MM-DD form, e.g. "2027-01-31"')
  .refine((s) => tryParseIsoDate(s) !== undefined, {
    message: 'is not a real calendar date',
    // Gated rather than aborting, so objects embedding a date still run their own rules.
    when: (p) => typeof p.value === 'string' && ISO_DATE.test(p.value),
  })
  .refine((s) => inYearRange(Number(s.slice(0, 4))), {
    message: DATE_RANGE_MESSAGE,
    when: (p) => typeof p.value === 'string' && tryParseIsoDate(p.value) !== undefined,
  })
  .meta({ description: `a date YYYY-MM-DD from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31` });

export const quarterSchema = z
  .string({ error: 'must be a quarter like "2027Q1"' })
  .regex(QUARTER, { message: 'must be a quarter like "2027Q1"' })
  .refine((s) => inYearRange(Number(s.slice(0, 4))), {
    message: `must be a quarter of the years ${MIN_YEAR} to ${MAX_YEAR}`,
    when: (p) => typeof p.value === 'string' && QUARTER.test(p.value),
  })
  .meta({ description: `a quarter YYYYQn, e.g. "2027Q1", of the years ${MIN_YEAR} to ${MAX_YEAR}` });
