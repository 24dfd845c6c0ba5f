import type { Knex } from 'knex';
import { RateLimiterPostgres } from 'rate-limiter-flexible';

/**
 * The counters behind the API's rate limits (sign-in attempts, reads of other people's records),
 * kept in PostgreSQL (table login_limits, made by the baseline migration in the layout of
 * rate-limiter-flexible's PostgreSQL store) so they hold across API processes and restarts. Each
 * step is one atomic upsert, so parallel requests cannot slip past a limit. This is the one place
 * that knows where the counters live; the limiters (api/auth) are given `LimitCounters`.
 */
export const LIMIT_COUNTERS_TABLE = 'login_limits';

export interface CounterSpec {
  /** Keeps one limit's keys apart from another's in the shared table. */
  keyPrefix: string;
  points: number;
  /** Seconds a key's count lives after its first point. */
  duration: number;
  /** Seconds a key waits once its points are used up (none unless given). */
  blockDuration?: number;
}

/** Makes the counter of one limit. */
export type LimitCounters = (spec: CounterSpec) => RateLimiterPostgres;

export function limitCounters(db: Knex): LimitCounters {
  // tableCreated: the application's role may not create tables; the migration made it.
  const store = { storeClient: db, storeType: 'knex', tableName: LIMIT_COUNTERS_TABLE, schemaName: 'public', tableCreated: true };
  return (spec) => new RateLimiterPostgres({ ...store, ...spec } as never);
}
