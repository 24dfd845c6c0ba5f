import type { Db } from './entries';
import { LedgerError, LedgerValidationError } from './errors';
import { callFunction, refusedAs } from '../functions';

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

/**
 * `period_close` or `period_reopen` refused, in the function's own words: the quarter or the request
 * is not in the state the change needs (SQLSTATE 55000), the actor may not make it (42501), or
 * the request does not exist (P0002).
 */
export class PeriodChangeRefusedError extends LedgerError {
  constructor(
    readonly reason: 'not_in_state' | 'not_permitted' | 'not_found',
    message: string,
  ) {
    super('PERIOD_CHANGE_REFUSED', message);
  }
}

const REFUSALS: Record<string, PeriodChangeRefusedError['reason']> = { '55000': 'not_in_state', '42501': 'not_permitted', P0002: 'not_found' };

/** Runs a period function through the driver, so that its refusal keeps its own message. */
function periodFunction<R extends { [k: string]: unknown }>(db: Db, sql: string, values: unknown[]): Promise<R[]> {
  return refusedAs(REFUSALS, (reason, message) => new PeriodChangeRefusedError(reason, message), () => callFunction<R>(db, sql, values));
}

export interface PeriodChange {
  /** The finance approver who closes, or who approves the reopening. */
  actorId: string;
  reason?: string | null;
  requestId?: string | null;
}

/**
 * Closes a quarter through the database's `period_close`, which also records the period's event
 * and audit row; returns once postings in flight have committed. Refused (PeriodChangeRefusedError)
 * when it is closed already, or unless the actor is an active finance approver.
 */
export async function closePeriod(db: Db, quarter: string, c: PeriodChange): Promise<AccountingPeriod> {
  check(quarter);
  await periodFunction(db, 'select period_close($1, $2::uuid, $3, $4)', [quarter, c.actorId, c.reason ?? null, c.requestId ?? null]);
  return getPeriod(db, quarter);
}

/**
 * Reopens a quarter as the approved outcome of a reopening request (maker–checker, see
 * `finance_proposals`): `period_reopen` checks the request is pending, the approver is an active
 * finance approver other than the requester, and the quarter is closed.
 */
export async function reopenPeriod(db: Db, proposalId: string, c: PeriodChange): Promise<AccountingPeriod> {
  const rows = await periodFunction<{ quarter: string }>(db, 'select period_reopen($1::uuid, $2::uuid, $3, $4) as quarter', [proposalId, c.actorId, c.reason ?? null, c.requestId ?? null]);
  return getPeriod(db, rows[0]!.quarter);
}
