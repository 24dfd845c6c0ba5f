import type { Db } from './entries';
import { LedgerValidationError } from './errors';

/**
 * Accounting periods are quarters ('2027Q1'). A quarter without a row is open. The database refuses
 * any entry dated in a closed quarter, closing one waits for the postings in flight (see the
 * trigger on accounting_periods), and a quarter changes only through its two functions, which
 * record who did it: these helpers call them.
 */

export interface AccountingPeriod {
  quarter: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  closedBy: string | null;
}

const QUARTER = /^\d{4}Q[1-4]$/;

function check(quarter: string): void {
  if (!QUARTER.test(quarter)) throw new LedgerValidationError('quarter must look like 2027Q1', [{ path: 'quarter', message: 'must look like 2027Q1' }]);
}

export async function getPeriod(db: Db, quarter: string): Promise<AccountingPeriod> {
  check(quarter);
  const row = await db('accounting_periods').where({ quarter }).first();
  if (!row) return { quarter, status: 'open', closedAt: null, closedBy: null };
  return { quarter, status: row.status, closedAt: row.closed_at ? row.closed_at.toISOString() : null, closedBy: row.closed_by };
}

export interface PeriodChange {
  /** The finance approver who closes, or who approves the reopening. */
  actorId: string;
  reason?: string | null;
  requestId?: string | null;
}

/**
 * Closes a quarter through the database's `period_close`, which also records the period's event
 * and audit row; returns once postings in flight have committed. Refused (55000) when it is closed
 * already, (42501) unless the actor is an active finance approver.
 */
export async function closePeriod(db: Db, quarter: string, c: PeriodChange): Promise<AccountingPeriod> {
  check(quarter);
  await db.raw('select period_close(?, ?::uuid, ?, ?)', [quarter, c.actorId, c.reason ?? null, c.requestId ?? null]);
  return getPeriod(db, quarter);
}

/**
 * Reopens a quarter as the approved outcome of a reopening request (maker–checker, see
 * `finance_proposals`): `period_reopen` checks the request is pending, the approver is an active
 * finance approver other than the requester, and the quarter is closed.
 */
export async function reopenPeriod(db: Db, proposalId: string, c: PeriodChange): Promise<AccountingPeriod> {
  const { rows } = await db.raw('select period_reopen(?::uuid, ?::uuid, ?, ?) as quarter', [proposalId, c.actorId, c.reason ?? null, c.requestId ?? null]);
  return getPeriod(db, rows[0].quarter);
}
