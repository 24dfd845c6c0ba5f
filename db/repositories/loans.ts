import type { Knex } from 'knex';
import type { LoanPeriod } from '../../domain/repayment';
import { scopeApplications, type Viewer } from './applications';
import { stepActorColumns } from './audit';
import { insertOnce } from './once';

type Db = Knex | Knex.Transaction;

export interface LoanEventRow {
  loanId: string;
  step: string;
  on: string;
  key: string;
  actor?: { userId: string; username: string; role: string } | null;
  period?: number | null;
  amount?: string | null;
  detail?: string | null;
}

/**
 * The loan's history row; its idempotency key makes the whole step happen once. False when an
 * earlier attempt already wrote it (the caller then writes nothing else).
 */
export async function insertLoanEvent(trx: Db, e: LoanEventRow): Promise<boolean> {
  return insertOnce(trx, 'loan_events', {
    loan_id: e.loanId,
    step: e.step,
    on: e.on,
    ...stepActorColumns(e.actor),
    period: e.period ?? null,
    amount: e.amount ?? null,
    detail: e.detail ?? null,
    idempotency_key: e.key,
  });
}

export async function upsertPeriods(trx: Db, loanId: string, periods: readonly LoanPeriod[]): Promise<void> {
  if (periods.length === 0) return;
  await trx('loan_periods')
    .insert(
      periods.map((p) => ({
        loan_id: loanId,
        period: p.period,
        due_on: p.dueOn,
        quarter: p.quarter,
        principal: p.principal,
        interest: p.interest,
        subsidy: p.subsidy,
        outstanding_after: p.outstandingAfter,
        extended: p.extended,
        paid: p.paid,
        last_paid_on: p.lastPaidOn,
        status: p.status,
        updated_at: trx.fn.now(),
      })),
    )
    .onConflict(['loan_id', 'period'])
    .merge();
}

export async function deletePeriodsAfter(trx: Db, loanId: string, period: number): Promise<void> {
  await trx('loan_periods').where({ loan_id: loanId }).andWhere('period', '>', period).delete();
}

export type IntegrityKind = 'disbursed' | 'on_time' | 'late' | 'extended' | 'repaid' | 'early_repaid' | 'default' | 'compensation' | 'recovery';

export async function insertIntegrityEvent(
  trx: Db,
  e: { idNumber: string; loanId: string; kind: IntegrityKind; on: string; detail: string; key: string; period?: number | null; amount?: string | null },
): Promise<void> {
  await trx('integrity_events')
    .insert({
      id_number: e.idNumber,
      loan_id: e.loanId,
      kind: e.kind,
      on: e.on,
      period: e.period ?? null,
      amount: e.amount ?? null,
      detail: e.detail,
      idempotency_key: e.key,
    })
    .onConflict('idempotency_key')
    .ignore();
}

export interface LoanRow {
  id: string;
  application_id: string;
  bank_id: string;
  guarantee_company_id: string | null;
  borrower_id_number: string;
  contract_no: string;
  principal: string;
  annual_rate: string;
  disbursed_on: string;
  term_months: number;
  repayment_method: string;
  bank_reference: string;
  policy_id: string;
  status: string;
  extended_months: number;
  maturity_on: string | null;
  outstanding_principal: string | null;
  ended_on: string | null;
  end_reason: string | null;
  defaulted_on: string | null;
  loss_principal: string | null;
  loss_interest: string | null;
  compensated_by_fund: string | null;
  borne_by_bank: string | null;
  compensated_by_company: string | null;
  recovered: string;
}

/** A loan is visible to whoever may see its application (docs/domain.md §2.2; one rule for both). */
export async function findVisibleLoan(db: Db, id: string, v: Viewer): Promise<LoanRow | undefined> {
  return scopeApplications(db('loans as l').join('applications as a', 'a.id', 'l.application_id').where('l.id', id), v).first('l.*');
}

/**
 * The earliest due date, before `today`, of a period of the loan `l` still not paid in full: the
 * day its arrears began (null when none). A subquery over loan_periods, for lists of loans.
 */
const OVERDUE_SINCE =
  "(select min(p.due_on) from loan_periods p where p.loan_id = l.id and p.due_on < ?::date and p.status not in ('paid_on_time', 'paid_late') and p.paid < p.principal + p.interest)";

/** Selects a loan's `overdue_since` (see OVERDUE_SINCE). */
export const selectOverdueSince = (db: Knex, today: string): Knex.Raw => db.raw(`${OVERDUE_SINCE} as overdue_since`, [today]);

/** Keeps the loans being repaid whose arrears are `min`..`max` days old (0..0: none). */
export function whereOverdueDays(q: Knex.QueryBuilder, today: string, min: number, max: number): Knex.QueryBuilder {
  q.where('l.status', 'REPAYING');
  if (max <= 0) return q.whereRaw(`${OVERDUE_SINCE} is null`, [today]);
  return q.whereRaw(`(?::date - ${OVERDUE_SINCE}) between ? and ?`, [today, today, min, max]);
}

/** The parameters of the policy version a loan keeps. */
export async function loanPolicyParams(db: Db, policyId: string) {
  const row = await db('policies').where({ id: policyId }).first('params');
  return row.params;
}

export async function loanPeriods(db: Db, loanId: string) {
  return db('loan_periods').where({ loan_id: loanId }).orderBy('period');
}

export async function loanRepayments(db: Db, loanId: string) {
  return db('loan_repayments').where({ loan_id: loanId }).orderBy('id');
}

export async function loanEvents(db: Db, loanId: string) {
  return db('loan_events').where({ loan_id: loanId }).orderBy('id');
}

export async function integrityEvents(db: Db, idNumber: string) {
  return db('integrity_events').where({ id_number: idNumber }).orderBy('id');
}
