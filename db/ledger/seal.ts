import type { Db } from './entries';

export interface SealResult {
  /** Batches written (0 when nothing was waiting). */
  seals: number;
  /** Entries chained by this call. */
  entries: number;
  /** Hash of the chain's last entry after this call (64 zeros for an empty chain). */
  headHash: string;
}

/**
 * Chains committed, not-yet-sealed entries into the hash chain, in batches (SQL function
 * `ledger_seal`): hash = sha256(previous hash ‖ canonical content of the entry and its lines).
 * Writers never wait for this — only concurrent sealers queue (advisory lock). Entries whose
 * transaction is still running, or any later ones, wait for the next call; run it periodically
 * (and before an audit). Each batch commits on its own when `db` is the pool.
 */
export async function sealLedger(db: Db, opts: { batchSize?: number; maxBatches?: number } = {}): Promise<SealResult> {
  const batchSize = opts.batchSize ?? 10_000;
  const maxBatches = opts.maxBatches ?? Number.POSITIVE_INFINITY;
  let seals = 0;
  let entries = 0;
  let headHash = '0'.repeat(64);
  for (let i = 0; i < maxBatches; i++) {
    const { rows } = await db.raw('select seal_id, sealed, head_hash from ledger_seal(?)', [batchSize]);
    const r = rows[0] as { seal_id: number | null; sealed: number; head_hash: string };
    headHash = r.head_hash;
    if (r.sealed === 0) break;
    seals += 1;
    entries += r.sealed;
    if (r.sealed < batchSize) break;
  }
  return { seals, entries, headHash };
}
