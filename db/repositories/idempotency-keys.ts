import type { Knex } from 'knex';

/**
 * Idempotency keys expire (api/idempotency.ts sets `expires_at`); this deletes the expired ones
 * with their stored replies, through the database's `idempotency_keys_purge` (the application's
 * role may not delete keys itself). Run hourly by the housekeeping schedule (workflows/housekeeping.ts).
 */
export async function purgeExpiredIdempotencyKeys(db: Knex): Promise<number> {
  const { rows } = await db.raw('select idempotency_keys_purge() as n');
  return Number(rows[0].n);
}

/**
 * Frees one key, through the database's `idempotency_key_release`: only while it is pending (its
 * request got no reply worth keeping) or expired; a stored reply that still counts is never
 * deleted. True when the key was deleted.
 */
export async function releaseIdempotencyKey(db: Knex, userId: string, key: string): Promise<boolean> {
  const { rows } = await db.raw('select idempotency_key_release(?::uuid, ?) as released', [userId, key]);
  return rows[0].released === true;
}
