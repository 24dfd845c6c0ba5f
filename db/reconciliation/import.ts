import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { audit, type AuditActor } from '../repositories/audit';
import { quarterBounds } from '../../domain/dates';
import { quarterSchema } from '../../domain/date-schemas';
import { OUTCOMES, type LineOutcome, type MismatchKind } from '../../domain/reconciliation';
import { FinanceError, StatementFileError, requireFinance } from './errors';
import { readCsvStatement, type StatementEncoding } from './read-csv';
import { readXlsxStatement } from './read-xlsx';
import { checkXlsxBounds } from './xlsx-bounds';
import { CopyRows, Field, MoneyTotal, PayoutIndex } from './fastpath';
import { storeMismatches } from './mismatches';

/** reconciliations.statement_total is NUMERIC(20,2). */
const MAX_TOTAL_INTEGER_DIGITS = 18;

/** What an import is doing, in order: the long steps of a large statement. */
export const IMPORT_PHASES = ['loading payouts', 'matching lines', 'indexing lines', 'storing mismatches', 'done'] as const;
export type ImportPhase = (typeof IMPORT_PHASES)[number];

export interface ImportProgress {
  phase: ImportPhase;
  bytes: number;
  lines: number;
}

/** What an import found: the statement's and the payouts' counts and totals, and each outcome. */
export interface MatchCounts {
  lineCount: number;
  statementTotal: string;
  payoutCount: number;
  payoutTotal: string;
  matched: number;
  missingInLedger: number;
  missingInStatement: number;
  amountDiffers: number;
  dateDiffers: number;
  duplicated: number;
}

export interface ImportInput {
  /** The reconciliation's id: random unless given (the API derives it from the Idempotency-Key). */
  id?: string;
  bankId: string;
  quarter: string;
  fileName: string;
  /** Opens the file from its start; called twice (once to tell CSV from XLSX by its first bytes). */
  open: () => Readable;
  encoding?: StatementEncoding;
  actor: AuditActor;
  requestId?: string | null;
  /** The business date: no line may be later, and the quarter must have begun. */
  today: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportResult extends MatchCounts {
  id: string;
  bankId: string;
  quarter: string;
  sourceFormat: 'csv' | 'xlsx';
  fileSha256: string;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

async function sniffFormat(open: () => Readable): Promise<'csv' | 'xlsx'> {
  const s = open();
  try {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of s) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= 4) break;
    }
    return Buffer.concat(chunks).subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
  } finally {
    s.destroy();
  }
}

/** Hashes and counts the bytes on their way to the parser (the hash identifies the file in the audit trail). */
class Tap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/** COPY text format: backslash, tab and line breaks escaped; everything else as is. */
const esc = (s: string) => (/[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s);

/**
 * Imports a bank's statement for a quarter and reconciles it, in ONE transaction: the rules are
 * checked, the file is streamed (never held in memory) through validation, each line is matched as
 * it passes against an index of the bank's payouts and COPY'd, with its outcome, into the
 * reconciliation's own partition of statement_lines, and the reconciliation, its lines, its
 * mismatches and the audit row are committed together — or, on any problem, nothing is.
 */
export async function importStatement(db: Knex, input: ImportInput): Promise<ImportResult> {
  requireFinance(input.actor, 'importing a statement');
  const q = quarterSchema.safeParse(input.quarter);
  if (!q.success) throw new FinanceError('VALIDATION_FAILED', 'quarter must look like 2027Q1', [{ path: 'quarter', message: 'must look like 2027Q1' }]);
  const { start, end } = quarterBounds(input.quarter);
  if (start > input.today) {
    throw new FinanceError('INVALID_STATE', `quarter ${input.quarter} has not begun: a statement of it cannot exist yet`, [{ path: 'quarter', message: 'has not begun' }]);
  }
  const bank = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.bankId)
    ? await db('organisations').where({ id: input.bankId }).first('id', 'type')
    : undefined;
  // A bank's statement of the interest subsidies it received, or the finance bureau's own account's
  // statement of the training subsidies and incubator rewards it paid (docs/reconciliation.md).
  const ownBureau = bank?.type === 'finance_bureau' && bank.id === input.actor.orgId;
  if (!bank || (bank.type !== 'bank' && !ownBureau)) {
    throw new FinanceError('VALIDATION_FAILED', 'bankId is not a bank, nor your finance bureau', [{ path: 'bankId', message: 'no bank organisation with this id, nor your own finance bureau' }]);
  }

  const sourceFormat = await sniffFormat(input.open);
  // Unpacked once, counting, before exceljs spools or holds any part of it (xlsx-bounds.ts).
  if (sourceFormat === 'xlsx') await checkXlsxBounds(input.open());
  const id = input.id ?? randomUUID();
  const tap = new Tap();
  const raw = input.open();
  const source = raw.pipe(tap);
  const ctx = { quarterStart: start, quarterEnd: end, today: input.today };
  const lines = sourceFormat === 'xlsx' ? readXlsxStatement(source, ctx) : readCsvStatement(source, ctx, input.encoding ?? 'utf-8');
  let seen = 0;
  let phase: ImportPhase = 'loading payouts';
  const progress = (now: ImportPhase = phase) => input.onProgress?.({ phase: (phase = now), bytes: tap.bytes, lines: seen });

  // A refusal before the file is read must still close it.
  const counts = await db.transaction(async (trx) => {
    const period = await trx('accounting_periods').where({ quarter: input.quarter }).first('status');
    if (period?.status === 'closed') {
      throw new FinanceError('INVALID_STATE', `quarter ${input.quarter} is closed: reopen it before importing a statement`, [{ path: 'quarter', message: 'is closed' }]);
    }
    await trx('reconciliations').insert({
      id,
      bank_id: input.bankId,
      quarter: input.quarter,
      source_format: sourceFormat,
      file_name: input.fileName.slice(0, 255) || 'statement',
      file_sha256: '0'.repeat(64), // set below, once the whole file has been read
      status: 'importing',
      imported_by: input.actor.userId,
      request_id: input.requestId ?? null,
    });
    // The transaction's own connection: knex hands it out again inside a transaction.
    const conn = (await (trx as unknown as { client: { acquireConnection(): Promise<PoolClient> } }).client.acquireConnection()) as PoolClient;
    progress('loading payouts');
    const payouts = await PayoutIndex.load(trx, conn, { bankId: input.bankId, from: start, to: end });
    progress('matching lines');

    // Lines go straight to their table, outcome included: one pass over the file, one write per
    // line. Mismatches (usually few, but never assumed so) are staged in a temporary file, not memory.
    const itemsDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'loanflow-items-'));
    let counts: MatchCounts;
    try {
      const itemsPath = path.join(itemsDir, 'items');
      const items = fs.createWriteStream(itemsPath);
      let ord = 0;
      const item = async (lineNo: number | null, kind: MismatchKind, payout: number, reference: string | null) => {
        ord += 1;
        const row = `${id}\t${ord}\t${lineNo ?? '\\N'}\t${kind}\t${payout >= 0 ? payouts.entryId(payout) : '\\N'}\t${payout >= 0 ? payouts.claimId(payout) : '\\N'}\t${reference === null ? '\\N' : esc(reference)}\n`;
        if (!items.write(row)) await once(items, 'drain');
      };
      const count = { matched: 0, missing_in_ledger: 0, amount_differs: 0, date_differs: 0, duplicated: 0 };
      // Summed as the lines pass (exact, in fen): a second scan of a million rows in Postgres would
      // cost more than this does.
      const statementTotal = new MoneyTotal();
      // The lines go into a table of this reconciliation's own, with no index to keep in step; its
      // primary key is built in one pass afterwards and it joins statement_lines as a partition
      // (db/sql/finance/statement_lines_begin.sql). Its reconciliation_id is the
      // column's default there (statement_lines_new_partition.sql), so the rows leave it out.
      const { rows: made } = await trx.raw('select statement_lines_begin(?::uuid) as t', [id]);
      const partition = `"${String(made[0].t).replace(/"/g, '""')}"`;
      const out = new CopyRows(conn.query(copyFrom(`COPY ${partition} (line_no, value_date, reference, amount, description, outcome, payout_entry_id) FROM STDIN (FORMAT binary)`)));
      const outcomeText = Object.fromEntries(OUTCOMES.map((o) => [o, Buffer.from(o, 'latin1')])) as Record<LineOutcome, Buffer>;
      try {
        for await (const batch of lines) {
          const b = batch.buf;
          for (let k = 0; k < batch.count; k++) {
            const outcome = payouts.classify(batch, k);
            const payout = payouts.lastPayout;
            count[outcome] += 1;
            statementTotal.addAscii(b, batch.start(k, Field.amount), batch.end(k, Field.amount));
            if (outcome !== 'matched') await item(batch.lineNo[k]!, outcome, payout, batch.reference(k));
            out.row(7).int4(batch.lineNo[k]!).date(b, batch.start(k, Field.date)).text(b, batch.start(k, Field.ref), batch.end(k, Field.ref));
            out.numeric(b, batch.start(k, Field.amount), batch.end(k, Field.amount));
            out.text(b, batch.start(k, Field.desc), batch.end(k, Field.desc)).text(outcomeText[outcome]);
            if (payout >= 0) out.int8(payouts.entryId(payout));
            else out.nul();
            if (out.full()) await out.flush();
          }
          seen += batch.count;
          progress();
        }
      } catch (e) {
        out.abort(e as Error);
        throw e;
      }
      await out.close();
      progress('indexing lines');
      await trx.raw('select statement_lines_finish(?::uuid)', [id]);
      progress('storing mismatches');
      let missingInStatement = 0;
      for (const i of payouts.unseen()) {
        missingInStatement += 1;
        await item(null, 'missing_in_statement', i, null);
      }
      items.end();
      await once(items, 'finish');
      // Staged in a table of the schema (the application's role may not create temporary tables);
      // its rows leave with this transaction.
      await pipeline(fs.createReadStream(itemsPath), conn.query(copyFrom('COPY reconciliation_item_stage FROM STDIN')));
      await storeMismatches(trx, id, input.bankId);
      await trx('reconciliation_item_stage').where({ reconciliation_id: id }).delete();
      const total = statementTotal.toString();
      // The lines are each a valid amount, but a file of a few hundred of the largest ones adds up
      // past what reconciliations.statement_total (NUMERIC(20,2)) holds.
      if (total.indexOf('.') > MAX_TOTAL_INTEGER_DIGITS) {
        throw new StatementFileError(`The statement's amounts add up to ${total}, more than a statement can hold`, [
          { path: 'amount', message: `the lines add up to more than ${MAX_TOTAL_INTEGER_DIGITS} digits before the point; no bank receives that much` },
        ]);
      }
      counts = {
        lineCount: seen,
        statementTotal: total,
        payoutCount: payouts.size,
        payoutTotal: payouts.total,
        matched: count.matched,
        missingInLedger: count.missing_in_ledger,
        missingInStatement,
        amountDiffers: count.amount_differs,
        dateDiffers: count.date_differs,
        duplicated: count.duplicated,
      };
    } finally {
      await fs.promises.rm(itemsDir, { recursive: true, force: true });
    }
    const fileSha256 = tap.hash.digest('hex');
    // The one update a reconciliation ever gets (enforced by its trigger): importing → imported.
    await trx.raw(
      `update reconciliations set status = 'imported', file_sha256 = ?, line_count = ?, statement_total = ?, payout_count = ?, payout_total = ?,
              matched = ?, missing_in_ledger = ?, missing_in_statement = ?, amount_differs = ?, date_differs = ?, duplicated = ?
        where id = ?`,
      [fileSha256, counts.lineCount, counts.statementTotal, counts.payoutCount, counts.payoutTotal, counts.matched, counts.missingInLedger,
        counts.missingInStatement, counts.amountDiffers, counts.dateDiffers, counts.duplicated, id],
    );
    await audit(trx, {
      actor: input.actor,
      action: 'reconciliation.import',
      entityType: 'reconciliation',
      entityId: id,
      requestId: input.requestId ?? null,
      payload: { bankId: input.bankId, quarter: input.quarter, fileName: input.fileName, sourceFormat, fileSha256, ...counts },
    });
    return { ...counts, fileSha256 };
  }).finally(() => {
    raw.destroy();
    tap.destroy();
  });
  progress('done');
  return { id, bankId: input.bankId, quarter: input.quarter, sourceFormat, ...counts };
}
