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


/** The claim row as filed, before anyone decides on it. */
export interface NewClaim {
  id: string;
  bankId: string;
  quarter: string;
  workflowId: string;
  late: boolean;
  filedOn: string;
  filedBy: string;
  at: Date;
}

/**
 * Files a claim in one statement: its lines are the bank's on-time periods due in the quarter that
 * no live claim holds yet, each with its loan's principal outstanding at the quarter's start and end
 * (by the repayments' dates), and its total their sum (exact: NUMERIC). The lines never leave the
 * database: a large bank's quarter holds hundreds of thousands, more than one statement's
 * parameters allow or a workflow's payload may carry. Nothing is stored when there is no line
 * (null). See docs/scaling.md.
 */
export async function fileClaimRows(db: Db, c: NewClaim): Promise<{ lineCount: number; total: string } | null> {
  const { start, end } = quarterBounds(c.quarter);
  const { rows } = await db.raw(
    `with repaid as (
       select r.loan_id,
              coalesce(sum(r.principal_part) filter (where r.paid_on < ?::date), 0) as before_start,
              sum(r.principal_part) as by_end
         from public.loan_repayments r join public.loans l on l.id = r.loan_id
        where l.bank_id = ? and r.paid_on <= ?::date
        group by r.loan_id),
     lines as (
       select a.loan_id, a.period, a.amount,
              (l.principal - coalesce(p.before_start, 0))::numeric(18,2) as balance_at_start,
              (l.principal - coalesce(p.by_end, 0))::numeric(18,2) as balance_at_end
         from public.subsidy_accruals a
         join public.loans l on l.id = a.loan_id
         left join repaid p on p.loan_id = a.loan_id
        where a.bank_id = ? and a.quarter = ?
          and not exists (select 1 from public.subsidy_claim_lines c where c.loan_id = a.loan_id and c.period = a.period and not c.voided)),
     claim as (
       insert into public.subsidy_claims (id, bank_id, quarter, workflow_id, status, late, total, filed_on, filed_by, created_at, updated_at)
       select ?, ?, ?, ?, 'SUBMITTED', ?, sum(amount), ?::date, ?, ?, ? from lines having count(*) > 0
       returning id, total),
     stored as (
       insert into public.subsidy_claim_lines (claim_id, loan_id, period, amount, balance_at_start, balance_at_end)
       select claim.id, lines.loan_id, lines.period, lines.amount, lines.balance_at_start, lines.balance_at_end from lines cross join claim
       returning 1)
     select (select count(*) from stored)::integer as line_count, (select total::text from claim) as total`,
    [start, c.bankId, end, c.bankId, c.quarter, c.id, c.bankId, c.quarter, c.workflowId, c.late, c.filedOn, c.filedBy, c.at, c.at],
  );
  const r = rows[0] as { line_count: number; total: string | null };
  return r.total === null ? null : { lineCount: r.line_count, total: r.total };
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

/** What the workflow and the API alike say of a claim: who, which quarter, where it stands, how many lines. */
export async function claimBasics(db: Knex, c: ClaimRow) {
  const [n] = await db('subsidy_claim_lines').where({ claim_id: c.id }).count<{ n: string }[]>('* as n');
  return { id: c.id, bankId: c.bank_id, quarter: c.quarter, status: c.status, late: c.late, lineCount: Number(n!.n), total: c.total, checkedBy: c.checked_by };
}
