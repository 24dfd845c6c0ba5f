import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { audit, type AuditActor } from '../repositories/audit';
import { quarterBounds, quarterSchema } from '../../domain/dates';
import { FinanceError } from './errors';
import { readCsvStatement, type StatementEncoding } from './read-csv';
import { readXlsxStatement } from './read-xlsx';
import { matchStatement, type MatchCounts } from './match';
import type { StatementLine } from './statement-format';

export interface ImportProgress {
  bytes: number;
  lines: number;
}

export interface ImportInput {
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

/** Streams validated lines into the temp table through COPY, respecting the socket's back-pressure. */
async function copyLines(conn: PoolClient, lines: AsyncIterable<StatementLine>, progress: () => void): Promise<void> {
  const copy = conn.query(copyFrom('COPY statement_stage (line_no, value_date, reference, amount, description) FROM STDIN'));
  const finished = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  let buf = '';
  let n = 0;
  try {
    for await (const l of lines) {
      buf += `${l.lineNo}\t${l.valueDate}\t${esc(l.reference)}\t${l.amount}\t${esc(l.description)}\n`;
      if (buf.length >= 256 * 1024) {
        if (!copy.write(buf)) await once(copy, 'drain');
        buf = '';
      }
      if (++n % 10_000 === 0) progress();
    }
  } catch (e) {
    // Abandons the COPY (the server gets CopyFail), so the transaction rolls back with nothing written.
    finished.catch(() => undefined);
    copy.destroy(e as Error);
    throw e;
  }
  copy.end(buf);
  await finished;
}

/**
 * Imports a bank's statement for a quarter and reconciles it, in ONE transaction: the rules are
 * checked, the file is streamed (never held in memory) through validation into a temp table with
 * COPY, matched set-based against the ledger's payouts, and the reconciliation, its lines, its
 * mismatches and the audit row are committed together — or, on any problem, nothing is.
 */
export async function importStatement(db: Knex, input: ImportInput): Promise<ImportResult> {
  const q = quarterSchema.safeParse(input.quarter);
  if (!q.success) throw new FinanceError('VALIDATION_FAILED', 'quarter must look like 2027Q1', [{ path: 'quarter', message: 'must look like 2027Q1' }]);
  const { start, end } = quarterBounds(input.quarter);
  if (start > input.today) {
    throw new FinanceError('INVALID_STATE', `quarter ${input.quarter} has not begun: a statement of it cannot exist yet`, [{ path: 'quarter', message: 'has not begun' }]);
  }
  const bank = await db('organisations').where({ id: input.bankId }).first('id', 'type');
  if (!bank || bank.type !== 'bank') throw new FinanceError('VALIDATION_FAILED', 'bankId is not a bank', [{ path: 'bankId', message: 'no bank organisation with this id' }]);

  const sourceFormat = await sniffFormat(input.open);
  const id = randomUUID();
  const tap = new Tap();
  const source = input.open().pipe(tap);
  const ctx = { quarterStart: start, quarterEnd: end, today: input.today };
  const lines = sourceFormat === 'xlsx' ? readXlsxStatement(source, ctx) : readCsvStatement(source, ctx, input.encoding ?? 'utf-8');
  let seen = 0;
  const progress = () => input.onProgress?.({ bytes: tap.bytes, lines: seen });
  const counted = (async function* () {
    for await (const l of lines) {
      seen += 1;
      yield l;
    }
  })();

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
    await trx.raw(`create temp table statement_stage (line_no integer, value_date date, reference text, amount numeric(18,2), description text) on commit drop`);
    // The transaction's own connection: knex hands it out again inside a transaction.
    const conn = (await (trx as unknown as { client: { acquireConnection(): Promise<PoolClient> } }).client.acquireConnection()) as PoolClient;
    await copyLines(conn, counted, progress);
    progress();
    const counts = await matchStatement(trx, id, input.bankId, start, end);
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
  });
  return { id, bankId: input.bankId, quarter: input.quarter, sourceFormat, ...counts };
}
