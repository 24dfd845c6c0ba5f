import { PeriodChangeRefusedError, closePeriod, getPeriod, reopenPeriod } from '../db/ledger';
import { audit, type AuditActor } from '../db/repositories/audit';
import { decidedSince, decideProposal, insertProposal, lockProposal, type ProposalView } from '../db/repositories/proposals';
import { FinanceError, checkQuarter, closeBlockers, periodView, requireFinance, type PeriodView } from '../db/reconciliation';
import { answeringOwnRetry, idOfRequest, refusedAs, type KeyUse, type RecordsDeps } from './deps';

/**
 * Closing a quarter (docs/domain.md §1.8): the finance approver closes a quarter that has ended
 * (the database's `period_close` checks that itself) and whose subsidy payouts are all reconciled
 * (db/reconciliation/periods.ts `closeBlockers`). The ledger then
 * refuses every posting dated in it (its own rule), and the finance tables refuse changes to its
 * reconciliations. Reopening is maker–checker: a finance officer or approver asks, with a reason,
 * and another person, a finance approver, approves (docs/security.md). All of it is audited, by
 * the database's own functions where the quarter changes.
 */

function requireApprover(actor: AuditActor, what: string): void {
  if (actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', `${what} needs the finance approver (role ${actor.role})`);
}

/** The quarter as it stands now: status, blockers, reconciliations, history. */
export async function getPeriodView(deps: RecordsDeps, quarter: string, today: string): Promise<PeriodView> {
  return periodView(deps.db, quarter, today);
}

export interface PeriodDecision {
  quarter: string;
  actor: AuditActor;
  reason?: string;
  requestId?: string | null;
  /** The Idempotency-Key the request runs under: a retry may meet its first attempt's change. */
  idempotency?: KeyUse | null;
  today: string;
}

const REFUSAL_CODES = { not_in_state: 'INVALID_STATE', not_permitted: 'FORBIDDEN', not_found: 'NOT_FOUND' } as const;

/** The database's refusals of a period change, by their kind (this module's own checks run first). */
async function periodCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PeriodChangeRefusedError) {
      throw new FinanceError(REFUSAL_CODES[e.reason], e.message, e.reason === 'not_in_state' ? [{ path: 'quarter', message: e.message }] : []);
    }
    throw e;
  }
}

/**
 * Closes the quarter in one transaction: the close comes first, so that the ledger's lock makes
 * postings in flight finish and new ones wait; then the rules are checked on what is committed;
 * any blocker rolls the close back (its event and audit row with it) and is reported (409
 * INVALID_STATE, each blocker in `details`).
 */
export async function closeQuarter({ db }: RecordsDeps, d: PeriodDecision): Promise<PeriodView> {
  checkQuarter(d.quarter);
  requireApprover(d.actor, 'closing a quarter');
  const close = () =>
    periodCall(() =>
      db.transaction(async (trx) => {
        const before = await getPeriod(trx, d.quarter);
        if (before.status === 'closed') throw new FinanceError('INVALID_STATE', `${d.quarter} is closed already`);
        await closePeriod(trx, d.quarter, { actorId: d.actor.userId, reason: d.reason?.trim() || null, requestId: d.requestId ?? null });
        const blockers = await closeBlockers(trx, d.quarter, d.today);
        if (blockers.length) throw new FinanceError('INVALID_STATE', `${d.quarter} cannot close: ${blockers[0]!.message}${blockers.length > 1 ? ` (and ${blockers.length - 1} more)` : ''}`, blockers);
      }),
    );
  await answeringOwnRetry<unknown>(d, close, refusedAs('INVALID_STATE'), async (since) => {
    // Closed by this approver since the key's first use, and its last event is that close, with this reason.
    const closed = await db('accounting_periods').where({ quarter: d.quarter, status: 'closed', closed_by: d.actor.userId }).andWhere('closed_at', '>=', since).first('quarter');
    const last = await db('accounting_period_events').where({ quarter: d.quarter }).orderBy('id', 'desc').first();
    const same = closed && last?.action === 'close' && last.by_user_id === d.actor.userId && last.reason === (d.reason?.trim() || null);
    return same ? true : undefined;
  });
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
export async function requestReopen({ db }: RecordsDeps, d: PeriodDecision): Promise<{ request: ProposalView; period: PeriodView }> {
  checkQuarter(d.quarter);
  requireFinance(d.actor, 'asking to reopen a quarter');
  const reason = reopenReason(d.reason);
  // The request's id comes from the Idempotency-Key: a retry after a first attempt that committed
  // finds its own request (pending, or decided since) instead of a 409 or a second request.
  const proposalId = idOfRequest('period-reopen', d.actor.userId, d.idempotency);
  const ask = () =>
    db.transaction(async (trx) => {
      // (Two requests racing: the partial unique index lets one through; the other is the 409 below.)
      const row = await trx('accounting_periods').where({ quarter: d.quarter }).first('status');
      if (row?.status !== 'closed') throw new FinanceError('INVALID_STATE', `${d.quarter} is not closed`);
      const pending = await trx('finance_proposals').where({ kind: 'period_reopen', quarter: d.quarter, status: 'pending' }).first('id');
      if (pending) throw new FinanceError('CONFLICT', `a request to reopen ${d.quarter} is waiting for approval already (${pending.id})`, [{ path: 'quarter', message: 'a request is pending' }]);
      const p = await insertProposal(trx, { id: proposalId, kind: 'period_reopen', quarter: d.quarter, reason, proposedBy: d.actor.userId, proposedRole: d.actor.role, requestId: d.requestId ?? null });
      await audit(trx, { actor: d.actor, action: 'period.reopen_request', entityType: 'accounting_period', entityId: d.quarter, reason, requestId: d.requestId ?? null, payload: { proposalId: p.id } });
      return p.id;
    }).catch((e: { code?: string; constraint?: string }) => {
      // finance_proposals_pkey: this request's own id, made by a first attempt (answeringOwnRetry).
      if (e.code === '23505' && (e.constraint === 'finance_proposals_one_reopen' || e.constraint === 'finance_proposals_pkey')) {
        throw new FinanceError('CONFLICT', `a request to reopen ${d.quarter} is waiting for approval already`, [{ path: 'quarter', message: 'a request is pending' }]);
      }
      throw e;
    });
  const id = await answeringOwnRetry(d, ask, refusedAs('CONFLICT', 'INVALID_STATE'), async () => {
    const mine = await db('finance_proposals').where({ id: proposalId, kind: 'period_reopen', quarter: d.quarter, proposed_by: d.actor.userId, reason }).first('id');
    return mine?.id as string | undefined;
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
export async function decideReopen({ db }: RecordsDeps, d: ReopenDecision): Promise<PeriodView> {
  checkQuarter(d.quarter);
  requireApprover(d.actor, 'deciding on reopening a quarter');
  const reason = d.reason?.trim() || null;
  const decide = () =>
    periodCall(() =>
      db.transaction(async (trx) => {
        const p = await lockProposal(trx, d.proposalId, 'period_reopen');
        if (!p || p.quarter !== d.quarter) throw new FinanceError('NOT_FOUND', `no request to reopen ${d.quarter} with id ${d.proposalId}`);
        if (p.status !== 'pending') throw new FinanceError('INVALID_STATE', `this request was ${p.status} already`);
        if (p.proposed_by === d.actor.userId) {
          throw new FinanceError('FORBIDDEN', 'The approver must be another person than the one who asked to reopen (maker–checker)');
        }
        if (d.decision === 'approve') {
          await reopenPeriod(trx, p.id, { actorId: d.actor.userId, reason, requestId: d.requestId ?? null });
        } else {
          if (!reason || reason.length < 3) throw new FinanceError('VALIDATION_FAILED', 'rejecting a request needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
          await decideProposal(trx, p.id, { status: 'rejected', decidedBy: d.actor.userId, decidedRole: d.actor.role, reason });
          await audit(trx, { actor: d.actor, action: 'period.reopen_reject', entityType: 'accounting_period', entityId: d.quarter, reason, requestId: d.requestId ?? null, payload: { proposalId: p.id } });
        }
      }),
    );
  await answeringOwnRetry<unknown>(d, decide, refusedAs('INVALID_STATE'), (since) => decidedSince(db, { id: d.proposalId, by: d.actor.userId, decision: d.decision, reason, since }));
  return periodView(db, d.quarter, d.today);
}
