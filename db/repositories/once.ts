import type { Knex } from 'knex';

/**
 * Inserts a row that its idempotency_key makes happen once: true when this call wrote it, false
 * when an earlier attempt already had (the caller then writes nothing else of the step).
 */
export async function insertOnce(trx: Knex | Knex.Transaction, table: string, row: Record<string, unknown> & { idempotency_key: string }): Promise<boolean> {
  const rows = await trx(table).insert(row).onConflict('idempotency_key').ignore().returning('idempotency_key');
  return rows.length > 0;
}
