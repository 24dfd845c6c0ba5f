import { z } from 'zod';

/** The largest value of a PostgreSQL integer column: a number compared with one must fit it. */
export const MAX_INT4 = 2_147_483_647;

/** A page number in a query string: bounded, so the offset it makes is a whole number PostgreSQL accepts. */
export const pageNumber = z.coerce
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .default(1)
  .meta({ description: 'from 1, at most 1000000' });
