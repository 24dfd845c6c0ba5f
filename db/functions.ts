import type { Knex } from 'knex';
import type { PoolClient, QueryResultRow } from 'pg';

/**
 * Calls a database function on the connection knex would use (the transaction's own inside one),
 * through the driver itself: a refusal keeps the function's own message and SQLSTATE, where knex
 * would prefix the message with the statement. `sql` uses the driver's `$1` placeholders.
 */
export async function callFunction<R extends QueryResultRow>(db: Knex | Knex.Transaction, sql: string, values: unknown[]): Promise<R[]> {
  const client = (db as unknown as { client: { acquireConnection(): Promise<PoolClient>; releaseConnection(c: PoolClient): Promise<void> } }).client;
  const conn = await client.acquireConnection();
  try {
    return (await conn.query<R>(sql, values)).rows;
  } finally {
    await client.releaseConnection(conn);
  }
}

/** A refusal raised by a database function: its SQLSTATE and its own message. */
export interface DriverRefusal {
  code: string;
  message: string;
}

export function driverRefusal(e: unknown): DriverRefusal | undefined {
  const err = e as { code?: unknown; message?: unknown };
  return typeof err?.code === 'string' && typeof err.message === 'string' ? { code: err.code, message: err.message } : undefined;
}

/**
 * Runs `run`, turning a refusal whose SQLSTATE `reasons` names into the error `refuse` makes with
 * the function's own message; any other error passes unchanged.
 */
export async function refusedAs<T, R>(reasons: Record<string, R>, refuse: (reason: R, message: string) => Error, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const refusal = driverRefusal(e);
    if (refusal && Object.hasOwn(reasons, refusal.code)) throw refuse(reasons[refusal.code]!, refusal.message);
    throw e;
  }
}
