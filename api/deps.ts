import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from 'pino';

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
}
