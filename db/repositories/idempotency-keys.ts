import type { Knex } from 'knex';

/**
 * Idempotency keys expire (api/idempotency.ts sets `expires_at`); this deletes the expired ones
 * with their stored replies. Run hourly by the housekeeping schedule (workflows/housekeeping.ts).
 */
export async function purgeExpiredIdempotencyKeys(db: Knex): Promise<number> {
  return db('idempotency_keys').where('expires_at', '<', db.fn.now()).delete();
}
