import { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitCounters } from '../../db/repositories/limit-counters';
import { addressKey } from './client-address';
import { tooMany } from './too-many';

/**
 * Limits on registration (POST /v1/auth/register), counted beside the sign-in limits in the limit
 * counters of the records (db/repositories/limit-counters.ts), so they hold across API processes.
 * Every registration costs an Argon2 hash on the pool sign-in uses and writes an audit row that is
 * kept for good, and its outcome (learned by signing in) tells whether an ID number has an account;
 * so every attempt counts, made or not:
 *
 * - per client address: `perAddress` in `addressWindowSeconds`, then the address waits the window out;
 * - from all addresses together: `overall` in `overallWindowSeconds`, a short window, so a flood
 *   bounds the hashing and holds registration up for a minute, not an hour.
 *
 * An attempt refused overall is given back to its address.
 */
export interface RegisterLimitSettings {
  perAddress: number;
  addressWindowSeconds: number;
  overall: number;
  overallWindowSeconds: number;
}

/**
 * An address's share is sized for a training class registering together at its institution,
 * behind one address (a class of up to 50, a few classes a day), not for one person.
 */
export const DEFAULT_REGISTER_LIMITS: RegisterLimitSettings = {
  perAddress: 200,
  addressWindowSeconds: 3600,
  overall: 60,
  overallWindowSeconds: 60,
};

const per = (seconds: number) => (seconds === 3600 ? 'an hour' : seconds === 60 ? 'a minute' : `in ${seconds} seconds`);

export class RegisterLimiter {
  readonly settings: RegisterLimitSettings;
  private readonly byAddress: ReturnType<LimitCounters>;
  private readonly all: ReturnType<LimitCounters>;

  constructor(counter: LimitCounters, settings: Partial<RegisterLimitSettings> = {}) {
    const s = (this.settings = { ...DEFAULT_REGISTER_LIMITS, ...settings });
    this.byAddress = counter({ keyPrefix: 'register_ip', points: s.perAddress, duration: s.addressWindowSeconds });
    this.all = counter({ keyPrefix: 'register_all', points: s.overall, duration: s.overallWindowSeconds });
  }

  /** Counts one registration from `ip`; a 429 ApiError naming the limit when it must wait. */
  async take(ip: string | undefined): Promise<void> {
    const s = this.settings;
    const key = addressKey(ip);
    await this.byAddress.consume(key).catch((e: unknown) => {
      throw e instanceof RateLimiterRes ? tooMany(`registrations from this address (${s.perAddress} ${per(s.addressWindowSeconds)})`, e.msBeforeNext) : e;
    });
    await this.all.consume('all').catch(async (e: unknown) => {
      await this.byAddress.reward(key);
      throw e instanceof RateLimiterRes ? tooMany(`registrations (${s.overall} ${per(s.overallWindowSeconds)} from all addresses)`, e.msBeforeNext) : e;
    });
  }
}
