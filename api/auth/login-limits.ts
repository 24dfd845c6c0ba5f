import { createHash } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { ApiError } from '../errors';
import { addressKey } from './client-address';
import { tooMany } from './too-many';
import type { LimitCounters } from '../../db/repositories/limit-counters';

/**
 * Sign-in limits, counted by rate-limiter-flexible in the limit counters of the records
 * (db/repositories/limit-counters.ts), so they hold across API processes and restarts: each step
 * is one atomic upsert, so parallel attempts cannot slip past a limit.
 *
 * - Per username and address (whether or not such an account exists, so a lock reveals nothing):
 *   the first `freeFailures` failed attempts are free; each further attempt from that address may
 *   start only after the previous one's lock, which doubles from `firstLockSeconds` up to
 *   `maxLockSeconds`. A successful sign-in clears the count. Someone guessing from elsewhere does
 *   not lock the user out of their own address.
 * - Per username, from every address together: `failuresPerUser` failed attempts in
 *   `userLimitWindowSeconds`, then addresses wait out the window — except an address that signed
 *   this user in within `knownAddressDays`, which is never held up by this limit. A guess spread
 *   over many addresses is slowed down; the owner, from where they usually sign in, is not.
 * - Per client address: at most `failuresPerIp` failed attempts in `ipWindowSeconds`, then the
 *   address waits `ipLockSeconds`. Successful sign-ins do not count (an office behind one address,
 *   or the test suite, signs in often).
 *
 * An attempt is counted before its password is checked and given back if it succeeds. Usernames
 * and addresses are stored hashed (fixed-length keys; no usernames in the table).
 */
export interface LoginLimitSettings {
  /** Failed attempts per username and address before the lock starts. */
  freeFailures: number;
  firstLockSeconds: number;
  maxLockSeconds: number;
  /** How long a username and address's failures are remembered after the first. */
  pairWindowSeconds: number;
  failuresPerUser: number;
  userLimitWindowSeconds: number;
  knownAddressDays: number;
  failuresPerIp: number;
  ipWindowSeconds: number;
  ipLockSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimitSettings = {
  freeFailures: 5,
  firstLockSeconds: 60,
  maxLockSeconds: 15 * 60,
  pairWindowSeconds: 24 * 3600,
  failuresPerUser: 100,
  userLimitWindowSeconds: 3600,
  knownAddressDays: 30,
  failuresPerIp: 100,
  ipWindowSeconds: 3600,
  ipLockSeconds: 15 * 60,
};

/** The lock after the n-th counted attempt of a username from one address (n > the free ones). */
export function lockSecondsFor(n: number, s: LoginLimitSettings): number {
  const extra = n - s.freeFailures - 1;
  if (extra < 0) return 0;
  return Math.min(s.firstLockSeconds * 2 ** Math.min(extra, 30), s.maxLockSeconds);
}

/** 429 with Retry-After, in words the web console can show as they are. */
export function tooManySignIns(msBeforeNext: number): ApiError {
  return tooMany('failed sign-ins', msBeforeNext);
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class LoginLimiter {
  readonly settings: LoginLimitSettings;
  private readonly pairFails: ReturnType<LimitCounters>;
  private readonly pairLock: ReturnType<LimitCounters>;
  private readonly userFails: ReturnType<LimitCounters>;
  private readonly known: ReturnType<LimitCounters>;
  private readonly ipFails: ReturnType<LimitCounters>;

  constructor(counter: LimitCounters, settings: Partial<LoginLimitSettings> = {}) {
    const s = (this.settings = { ...DEFAULT_LOGIN_LIMITS, ...settings });
    this.pairFails = counter({ keyPrefix: 'login_pair', points: 2 ** 30, duration: s.pairWindowSeconds });
    this.pairLock = counter({ keyPrefix: 'login_pair_lock', points: 1, duration: s.firstLockSeconds });
    this.userFails = counter({ keyPrefix: 'login_user', points: s.failuresPerUser, duration: s.userLimitWindowSeconds });
    this.known = counter({ keyPrefix: 'login_known', points: 1, duration: s.knownAddressDays * 86400 });
    this.ipFails = counter({ keyPrefix: 'login_ip', points: s.failuresPerIp, duration: s.ipWindowSeconds, blockDuration: s.ipLockSeconds });
  }

  /**
   * Runs `check` (the password check) within the limits: throws a 429 ApiError when the username
   * or address must wait; else returns what `check` returned, a failure (null) counting against
   * the username and address, the username, and the address.
   */
  async attempt<T>(username: string, ip: string | undefined, check: () => Promise<T | null>): Promise<T | null> {
    const ipKey = addressKey(ip);
    const userKey = sha256(username);
    const pairKey = sha256(`${username}\u0000${ipKey}`);
    const lock = await this.pairLock.get(pairKey);
    if (lock && lock.consumedPoints > 1) throw tooManySignIns(lock.msBeforeNext);
    const known = (await this.known.get(pairKey)) !== null;

    await this.ipFails.consume(ipKey).catch((e: unknown) => {
      throw e instanceof RateLimiterRes ? tooManySignIns(e.msBeforeNext) : e;
    });
    let locked = false;
    let userCounted = false;
    let pairCounted = false;
    try {
      // Counted for every address; only one that has not signed this user in lately waits.
      await this.userFails.consume(userKey).then(
        () => (userCounted = true),
        (e: unknown) => {
          if (!(e instanceof RateLimiterRes)) throw e;
          userCounted = true;
          if (!known) throw e;
        },
      );
      const n = (await this.pairFails.consume(pairKey)).consumedPoints;
      pairCounted = true;
      if (n > this.settings.freeFailures) {
        // This attempt may go on only if no other holds the lock; it then holds it for its backoff.
        await this.pairLock.consume(pairKey, 1, { customDuration: lockSecondsFor(n, this.settings) });
        locked = true;
      }
    } catch (e) {
      await Promise.all([
        pairCounted ? this.pairFails.reward(pairKey) : undefined,
        userCounted ? this.userFails.reward(userKey) : undefined,
        this.ipFails.reward(ipKey),
      ]);
      throw e instanceof RateLimiterRes ? tooManySignIns(e.msBeforeNext) : e;
    }

    const result = await check();
    if (result !== null) {
      await Promise.all([
        this.pairFails.delete(pairKey),
        locked ? this.pairLock.delete(pairKey) : undefined,
        this.userFails.reward(userKey),
        this.ipFails.reward(ipKey),
        this.known.set(pairKey, 1, this.settings.knownAddressDays * 86400),
      ]);
    }
    return result;
  }
}
