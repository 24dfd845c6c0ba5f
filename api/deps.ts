import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { LoginLimitSettings } from './auth/login-limits';
import type { ReadLimitSettings } from './auth/read-limits';
import type { RegisterLimitSettings } from './auth/register-limits';

/** What the HTTP layer needs; built by the entry point (or a test) and passed in. */
export interface ApiDeps {
  db: Knex;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** The day used for "today" checks (back-dating windows, future dates); injectable for tests. */
  now?: () => Date;
  /** Sign-in limits; the defaults of api/auth/login-limits.ts unless a test tightens them. */
  loginLimits?: Partial<LoginLimitSettings>;
  /** Registrations per address and overall; api/auth/register-limits.ts's defaults unless a test changes them. */
  registerLimits?: Partial<RegisterLimitSettings>;
  /** Reads of other people's integrity records per user; api/auth/read-limits.ts's defaults unless a test tightens them. */
  integrityReadLimits?: Partial<ReadLimitSettings>;
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), as
   * Express's `trust proxy` takes it (config TRUST_PROXY); unset, the address is the connection's.
   */
  trustProxy?: string | number;
}
