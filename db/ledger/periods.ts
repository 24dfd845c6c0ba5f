import type { Db } from './entries';
import { LedgerValidationError } from './errors';

/**
 * Accounting periods are quarters ('2027Q1'). A quarter without a row is open. The database refuses
 * any entry dated in a closed quarter, and closing one waits for the postings in flight (see the
 * trigger on accounting_periods), so these helpers are conveniences, not the rule.
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

/** Closes a quarter (idempotent); returns once postings in flight have committed. */
export async function closePeriod(db: Db, quarter: string, closedBy: string | null): Promise<AccountingPeriod> {
  check(quarter);
  await db.raw(
    `insert into accounting_periods (quarter, status, closed_at, closed_by) values (?, 'closed', now(), ?)
     on conflict (quarter) do update set status = 'closed', closed_at = now(), closed_by = excluded.closed_by
     where accounting_periods.status <> 'closed'`,
    [quarter, closedBy],
  );
  return getPeriod(db, quarter);
}

export async function reopenPeriod(db: Db, quarter: string): Promise<AccountingPeriod> {
  check(quarter);
  await db('accounting_periods').where({ quarter }).update({ status: 'open', closed_at: null, closed_by: null });
  return getPeriod(db, quarter);
}
