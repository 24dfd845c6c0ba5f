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
  /** The accruals of its bank and quarter it covers, by their number (`subsidy_accruals.seq`). */
  seqs: string;
  line_count: number;
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

/** A claim could not be filed: nothing of the bank's quarter is left to claim. */
export class NothingToClaim extends Error {
  /** The claim that holds the quarter, when one still stands. */
  constructor(readonly heldBy: string | null, message: string) {
    super(message);
  }
}

/**
 * Files a claim: one row. What it covers (the bank's on-time periods of the quarter that no claim
 * still standing covers), their count and their total are the database's to decide, in the same
 * statement (db/sql/subsidy/subsidy_claims_cover.sql): the lines are not copied; they are read from
 * the accruals when asked for (claimLines). A quarter with nothing left to claim is refused
 * (NothingToClaim), and the caller's transaction with it. See docs/ledger.md, "Subsidy claims".
 */
export async function fileClaimRow(db: Knex.Transaction, c: NewClaim): Promise<ClaimRow> {
  try {
    const [row] = await db('subsidy_claims')
      .insert({
        id: c.id, bank_id: c.bankId, quarter: c.quarter, workflow_id: c.workflowId, status: 'SUBMITTED', late: c.late,
        filed_on: c.filedOn, filed_by: c.filedBy, created_at: c.at, updated_at: c.at,
      })
      .returning('*');
    return row as ClaimRow;
  } catch (e) {
    const err = e as { code?: string; detail?: string; message?: string };
    if (err.code !== 'P0002') throw e;
    throw new NothingToClaim(err.detail ? err.detail : null, err.message ?? 'nothing to claim');
  }
}

/** Which page of a claim's lines to read, and how many lines a page holds. */
export interface LinesPage {
  page: number;
  pageSize: number;
}

/**
 * A page of a claim's lines, read from what it covers: each accrual of its bank and quarter in its
 * range, with its loan's principal outstanding at the quarter's start and end by the repayments'
 * dates, counting the repayments the ledger dates in or before the quarter: once the quarter is
 * closed no posting is dated in it (a repayment reported later is posted the day it is recorded),
 * so the balances are fixed from then on. In the order of due date, loan and period.
 */
export async function claimLines(db: Db, c: ClaimRow, p: LinesPage): Promise<ClaimLine[]> {
  if (c.line_count === 0) return [];
  const { start, end } = quarterBounds(c.quarter);
  const { rows } = await db.raw(
    `select a.loan_id, a.period, a.amount, a.due_on,
            (l.principal - coalesce(r.before_start, 0))::numeric(18,2)::text as balance_at_start,
            (l.principal - coalesce(r.by_end, 0))::numeric(18,2)::text as balance_at_end
       from (select a.loan_id, a.period, a.amount, a.due_on
               from public.subsidy_accruals a
              where a.bank_id = ? and a.quarter = ? and a.seq <@ ?::int8range
              order by a.due_on, a.loan_id, a.period
              limit ? offset ?) a
       join public.loans l on l.id = a.loan_id
       left join lateral (
         select sum(r.principal_part) filter (where r.paid_on < ?::date) as before_start, sum(r.principal_part) as by_end
           from public.loan_repayments r join public.ledger_entries e on e.id = r.ledger_entry_id
          where r.loan_id = a.loan_id and r.paid_on <= ?::date and e.posted_on <= ?::date) r on true
      order by a.due_on, a.loan_id, a.period`,
    [c.bank_id, c.quarter, c.seqs, p.pageSize, (p.page - 1) * p.pageSize, start, end, end],
  );
  return rows.map((r: { loan_id: string; period: number; amount: string; due_on: string; balance_at_start: string; balance_at_end: string }) => ({
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
export function claimBasics(c: ClaimRow) {
  return { id: c.id, bankId: c.bank_id, quarter: c.quarter, status: c.status, late: c.late, lineCount: c.line_count, total: c.total, checkedBy: c.checked_by };
}
