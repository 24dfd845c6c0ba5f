/**
 * The auditable double-entry ledger (docs/domain.md §4.1, docs/ledger.md). The rules live in the database (db/sql/ledger,
 * docs/ledger.md); this module posts, reads, seals and verifies.
 *
 *   await db.transaction(async (trx) => {
 *     await trx('claims').update(...);                       // read model
 *     await trx('audit_events').insert(...);                 // audit row
 *     await reserveBudget(trx, { fundId, amount: '1200.00', postedOn, idempotencyKey: `${workflowId}:reserve` });
 *   });
 */
export * from './accounts';
export * from './errors';
export { postEntry, postEntries, reverseEntry, getEntry, loadEntries, findEntryByKey, findReversal, normaliseEntry } from './entries';
export type { Db, LineInput, PostEntryInput, LedgerLine, LedgerEntry, PostedEntry, ReverseEntryInput } from './entries';
export * from './reads';
export * from './funds';
export * from './periods';
export * from './seal';
export { verifyLedger, type VerifyReport } from './verify';
