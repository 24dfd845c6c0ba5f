import type { Knex } from 'knex';
import type { Db } from '../ledger';
import { FinanceError } from './errors';
import type { MismatchKind, Outcome } from '../../domain/reconciliation';

/** Reads of reconciliations, shaped as the API and the CLI show them (money as strings). */

export interface ReconciliationView {
  id: string;
  bankId: string;
  bankName: string;
  quarter: string;
  /** current: the newest import for its bank and quarter, the one the quarter's close looks at. */
  current: boolean;
  supersededBy: string | null;
  sourceFormat: string;
  fileName: string;
  fileSha256: string;
  importedBy: string;
  importedAt: string;
  lineCount: number;
  statementTotal: string;
  payoutCount: number;
  payoutTotal: string;
  matched: number;
  counts: Record<MismatchKind, number>;
  mismatchCount: number;
  unresolved: number;
}

export interface ResolutionView {
  kind: 'explanation' | 'reversal';
  reason: string;
  reversalEntryId: number | null;
  by: string;
  role: string;
  at: string;
}

export interface MismatchView {
  itemNo: number;
  kind: MismatchKind;
  lineNo: number | null;
  reference: string | null;
  statementDate: string | null;
  statementAmount: string | null;
  claimId: string | null;
  payoutEntryId: number | null;
  ledgerDate: string | null;
  ledgerAmount: string | null;
  note: string | null;
  resolution: ResolutionView | null;
}

const reconSelect = `
  select r.*, o.name as bank_name, u.username as imported_by_name,
         (select n.id from reconciliations n where n.bank_id = r.bank_id and n.quarter = r.quarter and n.status = 'imported' and n.seq > r.seq
           order by n.seq desc limit 1) as superseded_by,
         (select count(*) from reconciliation_items i where i.reconciliation_id = r.id
             and not exists (select 1 from reconciliation_resolutions s where s.reconciliation_id = i.reconciliation_id and s.item_no = i.item_no))::integer as unresolved
    from reconciliations r
    join organisations o on o.id = r.bank_id
    join users u on u.id = r.imported_by`;

function toView(r: Record<string, any>): ReconciliationView {
  const counts = {
    missing_in_ledger: r.missing_in_ledger,
    missing_in_statement: r.missing_in_statement,
    amount_differs: r.amount_differs,
    date_differs: r.date_differs,
    duplicated: r.duplicated,
  };
  return {
    id: r.id,
    bankId: r.bank_id,
    bankName: r.bank_name,
    quarter: r.quarter,
    current: r.superseded_by === null,
    supersededBy: r.superseded_by,
    sourceFormat: r.source_format,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    importedBy: r.imported_by_name,
    importedAt: (r.imported_at as Date).toISOString(),
    lineCount: r.line_count,
    statementTotal: r.statement_total,
    payoutCount: r.payout_count,
    payoutTotal: r.payout_total,
    matched: r.matched,
    counts,
    mismatchCount: Object.values(counts).reduce((a: number, b: number) => a + b, 0),
    unresolved: r.unresolved,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getReconciliation(db: Db, id: string): Promise<ReconciliationView> {
  if (!UUID.test(id)) throw new FinanceError('NOT_FOUND', 'reconciliation not found');
  const { rows } = await db.raw(`${reconSelect} where r.id = ?::uuid and r.status = 'imported'`, [id]);
  if (!rows[0]) throw new FinanceError('NOT_FOUND', 'reconciliation not found');
  return toView(rows[0]);
}

/** Reconciliations, newest quarter and import first: all of them, or one page (`limit`, `offset`). */
export async function listReconciliations(db: Db, f: { quarter?: string; bankId?: string; limit?: number; offset?: number }): Promise<ReconciliationView[]> {
  const { where, b } = reconFilter(f);
  const page = f.limit === undefined ? '' : ` limit ${Number(f.limit)} offset ${Number(f.offset ?? 0)}`;
  const { rows } = await db.raw(`${reconSelect} where ${where} order by r.quarter desc, r.seq desc${page}`, b);
  return rows.map(toView);
}

/** How many reconciliations listReconciliations would list without a page. */
export async function countReconciliations(db: Db, f: { quarter?: string; bankId?: string }): Promise<number> {
  const { where, b } = reconFilter(f);
  const { rows } = await db.raw(`select count(*)::integer as n from reconciliations r where ${where}`, b);
  return rows[0].n;
}

function reconFilter(f: { quarter?: string; bankId?: string }): { where: string; b: Knex.RawBinding[] } {
  const where = [`r.status = 'imported'`];
  const b: Knex.RawBinding[] = [];
  if (f.quarter) where.push('r.quarter = ?'), b.push(f.quarter);
  if (f.bankId) where.push('r.bank_id = ?::uuid'), b.push(f.bankId);
  return { where: where.join(' and '), b };
}

export interface MismatchFilter {
  kind?: MismatchKind;
  unresolved?: boolean;
  /** Only these items (a resolution returns its item). */
  itemNo?: number;
  offset?: number;
  limit?: number;
}

export async function listMismatches(db: Db, reconciliationId: string, f: MismatchFilter = {}): Promise<{ total: number; items: MismatchView[] }> {
  const where = ['i.reconciliation_id = ?::uuid'];
  const b: Knex.RawBinding[] = [reconciliationId];
  if (f.kind) where.push('i.kind = ?'), b.push(f.kind);
  if (f.unresolved !== undefined) where.push(f.unresolved ? 's.item_no is null' : 's.item_no is not null');
  if (f.itemNo !== undefined) where.push('i.item_no = ?'), b.push(f.itemNo);
  const base = `from reconciliation_items i
      left join reconciliation_resolutions s on s.reconciliation_id = i.reconciliation_id and s.item_no = i.item_no`;
  const cond = where.join(' and ');
  const { rows: countRows } = await db.raw(`select count(*)::integer as n ${base} where ${cond}`, b);
  const { rows } = await db.raw(
    `select i.item_no, i.kind, i.line_no, i.claim_id, i.payout_entry_id, i.note,
            l.reference, l.value_date, l.amount,
            e.posted_on as ledger_date,
            (select sum(pl.amount) from ledger_lines pl where pl.entry_id = e.id and pl.side = 'debit')::text as ledger_amount,
            s.kind as r_kind, s.reason as r_reason, s.reversal_entry_id, s.resolved_role, s.resolved_at, ru.username as r_by
       ${base}
       left join statement_lines l on l.reconciliation_id = i.reconciliation_id and l.line_no = i.line_no
       left join ledger_entries e on e.id = i.payout_entry_id
       left join users ru on ru.id = s.resolved_by
      where ${cond}
      order by i.item_no offset ? limit ?`,
    [...b, f.offset ?? 0, f.limit ?? 100],
  );
  return {
    total: countRows[0].n,
    items: rows.map((r: Record<string, any>) => ({
      itemNo: r.item_no,
      kind: r.kind,
      lineNo: r.line_no,
      reference: r.reference ?? null,
      statementDate: r.value_date ?? null,
      statementAmount: r.amount ?? null,
      claimId: r.claim_id,
      payoutEntryId: r.payout_entry_id,
      ledgerDate: r.ledger_date ?? null,
      ledgerAmount: r.ledger_amount ?? null,
      note: r.note,
      resolution: r.r_kind
        ? { kind: r.r_kind, reason: r.r_reason, reversalEntryId: r.reversal_entry_id, by: r.r_by, role: r.resolved_role, at: (r.resolved_at as Date).toISOString() }
        : null,
    })),
  };
}

export interface StatementLineView {
  lineNo: number;
  date: string;
  reference: string;
  amount: string;
  description: string;
  outcome: Exclude<Outcome, 'missing_in_statement'>;
  payoutEntryId: number | null;
}

export async function listStatementLines(db: Db, reconciliationId: string, f: { outcome?: string; afterLine?: number; limit?: number }): Promise<StatementLineView[]> {
  const q = db('statement_lines')
    .where({ reconciliation_id: reconciliationId })
    .andWhere('line_no', '>', f.afterLine ?? 0)
    .orderBy('line_no')
    .limit(f.limit ?? 100);
  if (f.outcome) q.andWhere({ outcome: f.outcome });
  const rows = await q;
  return rows.map((r) => ({
    lineNo: r.line_no,
    date: r.value_date,
    reference: r.reference,
    amount: r.amount,
    description: r.description,
    outcome: r.outcome,
    payoutEntryId: r.payout_entry_id,
  }));
}
