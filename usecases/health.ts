import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import { pingDb } from '../db/knex';

/** Reachability of PostgreSQL and Temporal (GET /healthz). */

/**
 * A real round trip to the frontend: it answers iff the server is serving. The deadline also
 * ends the client's own retries, so nothing keeps knocking after the probe has given up.
 */
export async function pingTemporal(client: Client, timeoutMs = 2000): Promise<void> {
  await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
}

const TIMEOUT_MS = 2000;
// Temporal's probe ends on its own gRPC deadline (which also stops the client's retries), so
// it is awaited rather than raced: a raced call would keep retrying after the answer was sent.

async function probe(fn: () => Promise<void>, raceTimeout = true): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const call = fn();
    await (raceTimeout
      ? Promise.race([
          call,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
          }),
        ])
      : call);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (e) {
    return { ok: false, latencyMs: Date.now() - started, error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

export interface Probe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Both probes at once: ok when PostgreSQL and Temporal both answer. */
export async function systemHealth(deps: { db: Knex; temporal: Client }): Promise<{ ok: boolean; postgres: Probe; temporal: Probe }> {
  const [postgres, temporal] = await Promise.all([probe(() => pingDb(deps.db)), probe(() => pingTemporal(deps.temporal, TIMEOUT_MS), false)]);
  return { ok: postgres.ok && temporal.ok, postgres, temporal };
}

/** The database's own clock and name: proves the worker reaches its database (system-check workflow). */
export async function databaseTime(db: Knex): Promise<{ now: string; database: string }> {
  const { rows } = await db.raw<{ rows: Array<{ now: string; database: string }> }>(
    `select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now, current_database() as database`,
  );
  return rows[0]!;
}
