import fs from 'node:fs';
import {
  OUTCOMES,
  getReconciliation,
  importStatement as importAndMatch,
  listMismatches,
  countReconciliations,
  listReconciliations as listReconciliationRows,
  listStatementLines,
  type MismatchFilter,
  type StatementEncoding,
} from '../db/reconciliation';
import { resolveMismatch } from './mismatches';
import { answeringOwnRetry, idOfRequest, refusedAs, todayOf, type Caller, type KeyedRequest, type RecordsDeps } from './deps';

export { OUTCOMES, resolveMismatch };

const FIRST_MISMATCHES = 100;

/**
 * A finance officer or approver imports a bank's statement for a quarter and it is reconciled at
 * once (db/reconciliation/import.ts: one transaction; on any problem nothing is written). Answers
 * with the reconciliation and its first mismatches. Its id comes from the Idempotency-Key
 * (idOfRequest): a retry whose first attempt committed answers with that import instead of
 * importing the statement a second time.
 */
export async function importStatement(
  deps: RecordsDeps,
  caller: Caller,
  input: { bankId: string; quarter: string; fileName: string; encoding: StatementEncoding; filePath: string },
  request: KeyedRequest,
) {
  const id = idOfRequest('reconciliation', caller.id, request.idempotency);
  const load = () =>
    importAndMatch(deps.db, {
      id,
      bankId: input.bankId,
      quarter: input.quarter,
      fileName: input.fileName,
      encoding: input.encoding,
      open: () => fs.createReadStream(input.filePath, { highWaterMark: 256 * 1024 }),
      actor: { userId: caller.id, username: caller.username, role: caller.role, orgId: caller.orgId },
      requestId: request.requestId,
      today: todayOf(deps),
    });
  await answeringOwnRetry<unknown>(request, load, refusedAs('23505'), async () => {
    const mine = await deps.db('reconciliations').where({ id, imported_by: caller.id, bank_id: input.bankId, quarter: input.quarter, status: 'imported' }).first('id');
    return mine ? true : undefined;
  });
  const view = await getReconciliation(deps.db, id);
  const first = await listMismatches(deps.db, id, { limit: FIRST_MISMATCHES });
  return { ...view, mismatches: first.items, mismatchesTruncated: first.total > first.items.length };
}

export { FIRST_MISMATCHES };

/** A page of the reconciliations, newest quarter and import first: every import is kept, so the list only grows. */
export async function listReconciliations(deps: RecordsDeps, f: { quarter?: string; bankId?: string; page: number; pageSize: number }) {
  const filter = { quarter: f.quarter, bankId: f.bankId };
  const [items, total] = await Promise.all([
    listReconciliationRows(deps.db, { ...filter, limit: f.pageSize, offset: (f.page - 1) * f.pageSize }),
    countReconciliations(deps.db, filter),
  ]);
  return { items, total };
}

/** One reconciliation with its counts (404 when there is none). */
export async function reconciliation(deps: RecordsDeps, id: string) {
  return getReconciliation(deps.db, id);
}

/** A page of a reconciliation's mismatches, with their resolutions. */
export async function reconciliationMismatches(deps: RecordsDeps, id: string, f: MismatchFilter) {
  await getReconciliation(deps.db, id);
  return listMismatches(deps.db, id, f);
}

/** Statement lines as imported, with their outcome (keyset pages). */
export async function statementLines(deps: RecordsDeps, id: string, f: { outcome?: string; afterLine?: number; limit?: number }) {
  await getReconciliation(deps.db, id);
  return listStatementLines(deps.db, id, f);
}
