import type { Knex } from 'knex';
import { quarterBounds } from '../../domain/dates';
import type { ClaimLine } from '../../domain/claim-rules';
import { seesEverything } from './applications';

type Db = Knex | Knex.Transaction;

export interface ClaimRow {
  id: string;
  bank_id: string;
  quarter: string;
  workflow_id: string;
  status: string;
  late: boolean;
  total: string;
  filed_on: string;
  filed_by: string;
  checked_by: string | null;
  checked_at: Date | null;
  check_reason: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  approval_reason: string | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  rejection_reason: string | null;
  fund_id: string | null;
  paid_on: string | null;
  payout_entry_id: number | null;
  created_at: Date;
}


/**
 * The bank's on-time periods due in the quarter that no live claim holds yet, each with its
 * loan's principal outstanding at the quarter's start and end (by the repayments' dates).
 */
export async function claimableLines(db: Db, bankId: string, quarter: string): Promise<ClaimLine[]> {
  const { start, end } = quarterBounds(quarter);
  const { rows } = await db.raw(
    `select a.loan_id, a.period, a.amount, a.due_on,
            (l.principal - coalesce((select sum(r.principal_part) from loan_repayments r where r.loan_id = a.loan_id and r.paid_on < ?::date), 0))::numeric(18,2) as balance_at_start,
            (l.principal - coalesce((select sum(r.principal_part) from loan_repayments r where r.loan_id = a.loan_id and r.paid_on <= ?::date), 0))::numeric(18,2) as balance_at_end
       from subsidy_accruals a join loans l on l.id = a.loan_id
      where a.bank_id = ? and a.quarter = ?
        and not exists (select 1 from subsidy_claim_lines c where c.loan_id = a.loan_id and c.period = a.period and not c.voided)
      order by a.due_on, a.loan_id, a.period`,
    [start, end, bankId, quarter],
  );
  return rows.map((r: Record<string, string>) => ({
    loanId: r.loan_id,
    period: Number(r.period),
    amount: r.amount,
    dueOn: r.due_on,
    balanceAtStart: r.balance_at_start,
    balanceAtEnd: r.balance_at_end,
  }));
}

export async function claimLines(db: Db, claimId: string): Promise<ClaimLine[]> {
  const rows = await db('subsidy_claim_lines as c')
    .join('subsidy_accruals as a', function join() {
      this.on('a.loan_id', 'c.loan_id').andOn('a.period', 'c.period');
    })
    .where('c.claim_id', claimId)
    .orderBy([{ column: 'a.due_on' }, { column: 'c.loan_id' }, { column: 'c.period' }])
    .select('c.loan_id', 'c.period', 'c.amount', 'a.due_on', 'c.balance_at_start', 'c.balance_at_end');
  return rows.map((r) => ({
    loanId: r.loan_id,
    period: r.period,
    amount: r.amount,
    dueOn: r.due_on,
    balanceAtStart: r.balance_at_start,
    balanceAtEnd: r.balance_at_end,
  }));
}

/** Banks see their own claims; the finance bureau and the auditor see all. */
export function scopeClaims(q: Knex.QueryBuilder, v: { role: string; orgId: string | null }): Knex.QueryBuilder {
  if (seesEverything(v.role)) return q;
  return v.role === 'bank_officer' ? q.where('bank_id', v.orgId) : q.whereRaw('false');
}

/** What the workflow and the API alike say of a claim: who, which quarter, where it stands, its lines. */
export async function claimBasics(db: Knex, c: ClaimRow) {
  return { id: c.id, bankId: c.bank_id, quarter: c.quarter, status: c.status, late: c.late, lines: await claimLines(db, c.id), total: c.total, checkedBy: c.checked_by };
}
