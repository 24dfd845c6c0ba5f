import type { Knex } from 'knex';
import { getPeriod, type Db } from '../ledger';
import { listProposals, type ProposalView } from '../repositories/proposals';
import { quarterBounds } from '../../domain/dates';
import { quarterSchema } from '../../domain/date-schemas';
import { FinanceError, type FinanceErrorDetail } from './errors';
import { ledgerDisagreementsSql, payoutsSql, programmeLedgerDisagreementsSql } from './payouts';

/**
 * A quarter as the finance bureau sees it, and what stops its close (docs/domain.md §1.8): every bank
 * paid in it has a reconciliation of it, the newest of which saw every payout, and no mismatch of
 * it is unresolved. Closing and reopening are use cases (usecases/periods.ts).
 */

export interface PeriodEvent {
  action: 'close' | 'reopen';
  reason: string | null;
  by: string;
  role: string;
  at: string;
  /** For a reopening: who asked for it (the approver is `by`). */
  requestedBy: string | null;
}

export interface PeriodView {
  quarter: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  closedBy: string | null;
  /** What would stop a close now (empty when it could close). */
  blockers: FinanceErrorDetail[];
  reconciliations: Array<{ id: string; bankId: string; unresolved: number }>;
  history: PeriodEvent[];
  /** Requests to reopen the quarter, newest first; at most one is pending. */
  reopenRequests: ProposalView[];
}

const MAX_LISTED = 20;

export function checkQuarter(quarter: string): void {
  if (!quarterSchema.safeParse(quarter).success) {
    throw new FinanceError('VALIDATION_FAILED', 'quarter must look like 2027Q1', [{ path: 'quarter', message: 'must look like 2027Q1' }]);
  }
}

/** The newest reconciliation of each bank for the quarter: the ones a close looks at. */
const currentSql = `select distinct on (bank_id) id, bank_id from reconciliations where quarter = ? and status = 'imported' order by bank_id, seq desc`;

/** Why the quarter cannot close now; reads only, so the status page and the close share it. */
export async function closeBlockers(db: Db, quarter: string, today: string): Promise<FinanceErrorDetail[]> {
  checkQuarter(quarter);
  const { start, end } = quarterBounds(quarter);
  const out: FinanceErrorDetail[] = [];
  if (end >= today) out.push({ path: 'quarter', message: `${quarter} has not ended (it ends ${end}); a quarter closes after its last day` });
  const p = payoutsSql({ from: start, to: end });
  const { rows: unreconciled } = await db.raw(
    `with p as (${p.sql}), cur as (${currentSql})
     select p.bank_id, o.name, count(*)::integer as n from p join organisations o on o.id = p.bank_id
      where not exists (select 1 from cur where cur.bank_id = p.bank_id)
      group by p.bank_id, o.name order by o.name`,
    [...p.bindings, quarter],
  );
  for (const r of unreconciled) {
    out.push({ path: `banks/${r.bank_id}`, message: `${r.name}: ${r.n} payout(s) in ${quarter} and no statement reconciled; import its statement` });
  }
  const { rows: unseen } = await db.raw(
    `with p as (${p.sql}), cur as (${currentSql})
     select p.entry_id, p.claim_id, p.posted_on, cur.id as reconciliation_id from p join cur on cur.bank_id = p.bank_id
      where not exists (select 1 from statement_lines l where l.reconciliation_id = cur.id and l.payout_entry_id = p.entry_id)
        and not exists (select 1 from reconciliation_items i where i.reconciliation_id = cur.id and i.payout_entry_id = p.entry_id)
      order by p.posted_on, p.entry_id limit ?`,
    [...p.bindings, quarter, MAX_LISTED],
  );
  for (const r of unseen) {
    out.push({
      path: `reconciliations/${r.reconciliation_id}`,
      message: `payout entry ${r.entry_id} (claim ${r.claim_id}, ${r.posted_on}) was posted after this reconciliation: import the statement again`,
    });
  }
  const d = ledgerDisagreementsSql(start, end);
  const { rows: drifted } = await db.raw(`${d.sql} order by c.paid_on, c.id limit ?`, [...d.bindings, MAX_LISTED]);
  for (const r of drifted) {
    out.push({
      path: `subsidy-claims/${r.claim_id}`,
      message: `the claim says ${r.total} paid on ${r.paid_on}, its ledger entry ${r.entry_id} (${r.kind}) ${r.paid ?? 'nothing'} to the bank on ${r.posted_on}: the records disagree`,
    });
  }
  const pd = programmeLedgerDisagreementsSql(start, end);
  const { rows: programmeDrifted } = await db.raw(`select * from (${pd.sql}) d order by d.paid_on, d.claim_id, d.entry_id limit ?`, [...pd.bindings, MAX_LISTED]);
  for (const r of programmeDrifted) {
    out.push({
      path: `${r.path}/${r.claim_id}`,
      message: `the claim says ${r.amount} paid on ${r.paid_on}, its ledger entry ${r.entry_id} (${r.kind}) ${r.paid ?? 'nothing'} on ${r.posted_on}: the records disagree`,
    });
  }
  const { rows: open } = await db.raw(
    `with cur as (${currentSql})
     select i.reconciliation_id, i.item_no, i.kind from cur join reconciliation_items i on i.reconciliation_id = cur.id
      where not exists (select 1 from reconciliation_resolutions s where s.reconciliation_id = i.reconciliation_id and s.item_no = i.item_no)
      order by i.reconciliation_id, i.item_no limit ?`,
    [quarter, MAX_LISTED],
  );
  for (const r of open) {
    out.push({ path: `reconciliations/${r.reconciliation_id}/mismatches/${r.item_no}`, message: `unresolved ${r.kind}: explain it or reverse the payout` });
  }
  return out;
}

async function history(db: Db, quarter: string): Promise<PeriodEvent[]> {
  const rows = await db('accounting_period_events as e')
    .join('users as u', 'u.id', 'e.by_user_id')
    .leftJoin('finance_proposals as p', 'p.id', 'e.proposal_id')
    .leftJoin('users as m', 'm.id', 'p.proposed_by')
    .where('e.quarter', quarter)
    .orderBy('e.id')
    .select('e.*', 'u.username', 'm.username as requester');
  return rows.map((r) => ({ action: r.action, reason: r.reason, by: r.username, role: r.by_role, at: (r.at as Date).toISOString(), requestedBy: r.requester ?? null }));
}

export async function periodView(db: Db, quarter: string, today: string): Promise<PeriodView> {
  checkQuarter(quarter);
  const period = await getPeriod(db, quarter);
  const { rows } = await db.raw(
    `with cur as (${currentSql})
     select cur.id, cur.bank_id, (select count(*) from reconciliation_items i where i.reconciliation_id = cur.id
        and not exists (select 1 from reconciliation_resolutions s where s.reconciliation_id = i.reconciliation_id and s.item_no = i.item_no))::integer as unresolved
       from cur order by cur.bank_id`,
    [quarter],
  );
  const closedBy = period.closedBy ? ((await db('users').where({ id: period.closedBy }).first('username'))?.username ?? period.closedBy) : null;
  return {
    quarter,
    status: period.status,
    closedAt: period.closedAt,
    closedBy,
    blockers: period.status === 'closed' ? [] : await closeBlockers(db, quarter, today),
    reconciliations: rows.map((r: { id: string; bank_id: string; unresolved: number }) => ({ id: r.id, bankId: r.bank_id, unresolved: r.unresolved })),
    history: await history(db, quarter),
    reopenRequests: await listProposals(db as Knex, { kind: 'period_reopen', quarter }),
  };
}

