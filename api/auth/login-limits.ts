import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../errors';

/**
 * Sign-in limits, kept in PostgreSQL (table login_limits, made by a migration) so they hold across
 * API processes and restarts. rate-limiter-flexible does the counting: each step is one atomic
 * upsert, so parallel attempts cannot slip past a limit.
 *
 * - Per username (whether or not such an account exists, so a lock reveals nothing): the first
 *   `freeFailuresPerUser` failed attempts are free; each further attempt may start only after the
 *   previous one's lock, which doubles from `firstLockSeconds` up to `maxLockSeconds`. A successful
 *   sign-in clears the username's count.
 * - Per client address: at most `failuresPerIp` failed attempts in `ipWindowSeconds`, then the
 *   address waits `ipLockSeconds`. Successful sign-ins do not count (an office behind one address,
 *   or the test suite, signs in often).
 *
 * An attempt is counted before its password is checked and given back if it succeeds.
 */
export interface LoginLimitSettings {
  freeFailuresPerUser: number;
  firstLockSeconds: number;
  maxLockSeconds: number;
  /** How long a username's failures are remembered after the first. */
  userWindowSeconds: number;
  failuresPerIp: number;
  ipWindowSeconds: number;
  ipLockSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimitSettings = {
  freeFailuresPerUser: 5,
  firstLockSeconds: 60,
  maxLockSeconds: 15 * 60,
  userWindowSeconds: 24 * 3600,
  failuresPerIp: 100,
  ipWindowSeconds: 3600,
  ipLockSeconds: 15 * 60,
};

export const LOGIN_LIMITS_TABLE = 'login_limits';

/** The lock after the n-th counted attempt of a username (n > the free ones). */
export function lockSecondsFor(n: number, s: LoginLimitSettings): number {
  const extra = n - s.freeFailuresPerUser - 1;
  if (extra < 0) return 0;
  return Math.min(s.firstLockSeconds * 2 ** Math.min(extra, 30), s.maxLockSeconds);
}

/** 429 with Retry-After, in words the web console can show as they are. */
export function tooManySignIns(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const err = new ApiError('TOO_MANY_REQUESTS', `too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  err.headers = { 'Retry-After': String(seconds) };
  return err;
}

export class LoginLimiter {
  readonly settings: LoginLimitSettings;
  private readonly userFails: RateLimiterPostgres;
  private readonly userLock: RateLimiterPostgres;
  private readonly ipFails: RateLimiterPostgres;

  constructor(db: Knex, settings: Partial<LoginLimitSettings> = {}) {
    const s = (this.settings = { ...DEFAULT_LOGIN_LIMITS, ...settings });
    // tableCreated: the application's role may not create tables; the migration made it.
    const store = { storeClient: db, storeType: 'knex', tableName: LOGIN_LIMITS_TABLE, schemaName: 'public', tableCreated: true };
    this.userFails = new RateLimiterPostgres({ ...store, keyPrefix: 'login_user', points: 2 ** 30, duration: s.userWindowSeconds } as never);
    this.userLock = new RateLimiterPostgres({ ...store, keyPrefix: 'login_lock', points: 1, duration: s.firstLockSeconds } as never);
    this.ipFails = new RateLimiterPostgres({
      ...store, keyPrefix: 'login_ip', points: s.failuresPerIp, duration: s.ipWindowSeconds, blockDuration: s.ipLockSeconds,
    } as never);
  }

  /**
   * Runs `check` (the password check) within the limits: throws a 429 ApiError when the username
   * or address must wait; else returns what `check` returned, a failure (null) counting against both.
   */
  async attempt<T>(username: string, ip: string | undefined, check: () => Promise<T | null>): Promise<T | null> {
    // Hashed: a fixed-length key whatever was typed, and no usernames in the table.
    const userKey = createHash('sha256').update(username, 'utf8').digest('hex');
    const ipKey = ip || 'unknown';
    const lock = await this.userLock.get(userKey);
    if (lock && lock.consumedPoints > 1) throw tooManySignIns(lock.msBeforeNext);

    await this.ipFails.consume(ipKey).catch((e: unknown) => {
      throw e instanceof RateLimiterRes ? tooManySignIns(e.msBeforeNext) : e;
    });
    let locked = false;
    try {
      const n = (await this.userFails.consume(userKey)).consumedPoints;
      if (n > this.settings.freeFailuresPerUser) {
        // This attempt may go on only if no other holds the lock; it then holds it for its backoff.
        await this.userLock.consume(userKey, 1, { customDuration: lockSecondsFor(n, this.settings) });
        locked = true;
      }
    } catch (e) {
      await Promise.all([this.userFails.reward(userKey), this.ipFails.reward(ipKey)]);
      throw e instanceof RateLimiterRes ? tooManySignIns(e.msBeforeNext) : e;
    }

    const result = await check();
    if (result !== null) {
      await Promise.all([this.userFails.delete(userKey), locked ? this.userLock.delete(userKey) : undefined, this.ipFails.reward(ipKey)]);
    }
    return result;
  }
}
