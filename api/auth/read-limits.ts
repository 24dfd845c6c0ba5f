import { RateLimiterRes } from 'rate-limiter-flexible';
import { tooMany } from './too-many';
import type { LimitCounters } from '../../db/repositories/limit-counters';

/**
 * A limit on how often one user reads records of other people (integrity records): `perUser`
 * reads in `windowSeconds`, then 429 with Retry-After until the window ends. Counted beside the
 * sign-in counters (db/repositories/limit-counters.ts, its own key prefix), so it holds across API processes.
 * Whom a user may read at all is the use case's rule; this only keeps anyone from trying many.
 */
export interface ReadLimitSettings {
  perUser: number;
  windowSeconds: number;
}

export const DEFAULT_INTEGRITY_READ_LIMITS: ReadLimitSettings = { perUser: 120, windowSeconds: 3600 };

export class ReadLimiter {
  readonly settings: ReadLimitSettings;
  private readonly reads: ReturnType<LimitCounters>;

  constructor(
    counter: LimitCounters,
    /** What is read, for the key prefix and the message: `integrity record`. */
    private readonly what: string,
    settings: Partial<ReadLimitSettings> = {},
  ) {
    const s = (this.settings = { ...DEFAULT_INTEGRITY_READ_LIMITS, ...settings });
    this.reads = counter({ keyPrefix: `read_${what.replace(/\W+/g, '_')}`, points: s.perUser, duration: s.windowSeconds });
  }

  /** Counts one read by `userId`; a 429 ApiError when their reads are used up for now. */
  async take(userId: string): Promise<void> {
    await this.reads.consume(userId).catch((e: unknown) => {
      throw e instanceof RateLimiterRes ? tooMany(`${this.what} reads`, e.msBeforeNext) : e;
    });
  }
}
