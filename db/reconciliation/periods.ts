import type { Knex } from 'knex';
import { closePeriod, getPeriod, reopenPeriod, type Db } from '../ledger';
import { audit, type AuditActor } from '../repositories/audit';
import { decideProposal, insertProposal, listProposals, lockProposal, type ProposalView } from '../repositories/proposals';
import { quarterBounds, quarterSchema } from '../../domain/dates';
import { FinanceError, requireFinance, type FinanceErrorDetail } from './errors';
import { ledgerDisagreementsSql, payoutsSql } from './payouts';

/**
 * Closing a quarter (SPEC §1 step 8): the finance approver closes a quarter that has ended and whose
 * subsidy payouts are all reconciled — every bank paid in it has a reconciliation of it, the newest
 * of which saw every payout, and no mismatch of it is unresolved. The ledger then refuses every
 * posting dated in it (its own rule), and this module's tables refuse changes to its
 * reconciliations. Reopening is maker–checker: a finance officer or approver asks, with a reason,
 * and another person, a finance approver, approves (docs/security.md). All of it is audited, by
 * the database's own functions where the quarter changes.
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

function checkQuarter(quarter: string): void {
  if (!quarterSchema.safeParse(quarter).success) {
    throw new FinanceError('VALIDATION_FAILED', 'quarter must look like 2027Q1', [{ path: 'quarter', message: 'must look like 2027Q1' }]);
  }
}

function requireApprover(actor: AuditActor, what: string): void {
  if (actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', `${what} needs the finance approver (role ${actor.role})`);
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

export interface PeriodDecision {
  quarter: string;
  actor: AuditActor;
  reason?: string;
  requestId?: string | null;
  today: string;
}

/** The database's refusals of a period change, as the API's codes (its own checks run first). */
async function periodCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const message = String(err.message ?? '').replace(/^.* - /, '');
    if (err.code === '55000') throw new FinanceError('INVALID_STATE', message);
    if (err.code === '42501') throw new FinanceError('FORBIDDEN', message);
    if (err.code === 'P0002') throw new FinanceError('NOT_FOUND', message);
    throw e;
  }
}

/**
 * Closes the quarter in one transaction: the close comes first, so that the ledger's lock makes
 * postings in flight finish and new ones wait; then the rules are checked on what is committed;
 * any blocker rolls the close back (its event and audit row with it) and is reported (409
 * INVALID_STATE, each blocker in `details`).
 */
export async function closeQuarter(db: Knex, d: PeriodDecision): Promise<PeriodView> {
  checkQuarter(d.quarter);
  requireApprover(d.actor, 'closing a quarter');
  await periodCall(() =>
    db.transaction(async (trx) => {
      const before = await getPeriod(trx, d.quarter);
      if (before.status === 'closed') throw new FinanceError('INVALID_STATE', `${d.quarter} is closed already`);
      await closePeriod(trx, d.quarter, { actorId: d.actor.userId, reason: d.reason?.trim() || null, requestId: d.requestId ?? null });
      const blockers = await closeBlockers(trx, d.quarter, d.today);
      if (blockers.length) throw new FinanceError('INVALID_STATE', `${d.quarter} cannot close: ${blockers[0]!.message}${blockers.length > 1 ? ` (and ${blockers.length - 1} more)` : ''}`, blockers);
    }),
  );
  return periodView(db, d.quarter, d.today);
}

function reopenReason(reason: string | undefined): string {
  const r = reason?.trim() ?? '';
  if (r.length < 3) throw new FinanceError('VALIDATION_FAILED', 'reopening a quarter needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
  return r;
}

/**
 * Asks to reopen a closed quarter (finance officer or approver, with a reason): the request waits
 * for another person, a finance approver. One request may wait per quarter.
 */
export async function requestReopen(db: Knex, d: PeriodDecision): Promise<{ request: ProposalView; period: PeriodView }> {
  checkQuarter(d.quarter);
  requireFinance(d.actor, 'asking to reopen a quarter');
  const reason = reopenReason(d.reason);
  const id = await db.transaction(async (trx) => {
    // (Two requests racing: the partial unique index lets one through; the other is the 409 below.)
    const row = await trx('accounting_periods').where({ quarter: d.quarter }).first('status');
    if (row?.status !== 'closed') throw new FinanceError('INVALID_STATE', `${d.quarter} is not closed`);
    const pending = await trx('finance_proposals').where({ kind: 'period_reopen', quarter: d.quarter, status: 'pending' }).first('id');
    if (pending) throw new FinanceError('CONFLICT', `a request to reopen ${d.quarter} is waiting for approval already (${pending.id})`, [{ path: 'quarter', message: 'a request is pending' }]);
    const p = await insertProposal(trx, { kind: 'period_reopen', quarter: d.quarter, reason, proposedBy: d.actor.userId, proposedRole: d.actor.role, requestId: d.requestId ?? null });
    await audit(trx, { actor: d.actor, action: 'period.reopen_request', entityType: 'accounting_period', entityId: d.quarter, reason, requestId: d.requestId ?? null, payload: { proposalId: p.id } });
    return p.id;
  }).catch((e: { code?: string; constraint?: string }) => {
    if (e.code === '23505' && e.constraint === 'finance_proposals_one_reopen') {
      throw new FinanceError('CONFLICT', `a request to reopen ${d.quarter} is waiting for approval already`, [{ path: 'quarter', message: 'a request is pending' }]);
    }
    throw e;
  });
  const period = await periodView(db, d.quarter, d.today);
  return { request: period.reopenRequests.find((r) => r.id === id)!, period };
}

export interface ReopenDecision extends PeriodDecision {
  requestId?: string | null;
  proposalId: string;
  decision: 'approve' | 'reject';
}

/**
 * Approves (the quarter opens, through the database's `period_reopen`) or rejects a request to
 * reopen. Only a finance approver who did not ask for it.
 */
export async function decideReopen(db: Knex, d: ReopenDecision): Promise<PeriodView> {
  checkQuarter(d.quarter);
  requireApprover(d.actor, 'deciding on reopening a quarter');
  await periodCall(() =>
    db.transaction(async (trx) => {
      const p = await lockProposal(trx, d.proposalId, 'period_reopen');
      if (!p || p.quarter !== d.quarter) throw new FinanceError('NOT_FOUND', `no request to reopen ${d.quarter} with id ${d.proposalId}`);
      if (p.status !== 'pending') throw new FinanceError('INVALID_STATE', `this request was ${p.status} already`);
      if (p.proposed_by === d.actor.userId) {
        throw new FinanceError('FORBIDDEN', 'The approver must be another person than the one who asked to reopen (maker–checker)');
      }
      const reason = d.reason?.trim() || null;
      if (d.decision === 'approve') {
        await reopenPeriod(trx, p.id, { actorId: d.actor.userId, reason, requestId: d.requestId ?? null });
      } else {
        if (!reason || reason.length < 3) throw new FinanceError('VALIDATION_FAILED', 'rejecting a request needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
        await decideProposal(trx, p.id, { status: 'rejected', decidedBy: d.actor.userId, decidedRole: d.actor.role, reason });
        await audit(trx, { actor: d.actor, action: 'period.reopen_reject', entityType: 'accounting_period', entityId: d.quarter, reason, requestId: d.requestId ?? null, payload: { proposalId: p.id } });
      }
    }),
  );
  return periodView(db, d.quarter, d.today);
}
