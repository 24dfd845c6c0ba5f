import pino, { type Logger } from 'pino';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { listen } from '../../scripts/lib/api-server';
import type { TestEnv } from '../support/env';
import { callApi } from '../support/api';
import type { ApiDeps } from '../../api/deps';

export const JWT_SECRET = 'auth-test-secret-auth-test-secret!';

/** Every line a logger writes, as text. */
export function capturedLogger(): { logger: Logger; text(): string; lines(): any[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  return { logger, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

export interface Api {
  url: string;
  call(method: string, path: string, o?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** The API on its own port over `db` (default: the shared test database), with no worker. */
export async function startPlainApi(env: TestEnv, o: { db?: Knex; logger?: Logger; deps?: Partial<ApiDeps> } = {}): Promise<Api> {
  const api = await listen(
    {
      db: o.db ?? env.db,
      temporal: env.temporal.client,
      taskQueue: 'unpolled',
      logger: o.logger ?? pino({ level: 'silent' }),
      jwtSecret: JWT_SECRET,
      tokenTtlSeconds: 3600,
      // The suite registers from this one address into shared counters; the limits' own tests set theirs.
      registerLimits: { perAddress: 1_000_000, overall: 1_000_000 },
      ...o.deps,
    },
    0,
    '127.0.0.1',
  );
  return {
    url: api.url,
    call: (method, path, c) => callApi(api.url, method, path, c),
    close: () => api.close(),
  };
}
