import type { Knex } from 'knex';
import type { WorkflowHandle } from '@temporalio/client';
import { DomainError } from '../domain/errors';
import { Money, formatMoney, sumMoney } from '../domain/money';
import type { ExtensionBody, RecoveryBody, RepaymentBody } from '../domain/loan-schemas';
import { quotePayoff, type LoanPeriod, type PeriodStatus } from '../domain/repayment';
import type { RepaymentMethod } from '../domain/enums';
import { daysBetween, type IsoDate } from '../domain/dates';
import { findVisibleLoan, integrityEvents, loanPeriods, loanPolicyParams, loanRepayments, selectOverdueSince, whereOverdueDays, type LoanRow } from '../db/repositories/loans';
import { scopeApplications } from '../db/repositories/applications';
import { extensionUpdate, loanWorkflowId, recoveryUpdate, repaymentUpdate, type DecisionMeta } from '../workflows/definitions';
import { actorOf, metaOf, todayOf, visibleOr403, type Caller, type RecordsDeps, type RequestIds, type WorkflowDeps } from './deps';
import { audit } from '../db/repositories/audit';
import { WorkflowClosedError, asking, decisionsVia } from './workflow-client';
import type { DecisionRequest } from './workflow-client';

const SETTLED = ['paid_on_time', 'paid_late'];
const EARNS_NOTHING = ['paid_late', 'defaulted'];

/** A loan as the API shows it: schedule, repayments and, after a default, its compensation. */
export async function loanView(db: Knex, l: LoanRow) {
  const [periods, repayments] = await Promise.all([loanPeriods(db, l.id), loanRepayments(db, l.id)]);
  let earned = new Money(0);
  const schedule = periods.map((p) => {
    if (p.status === 'paid_on_time') earned = earned.plus(p.subsidy);
    return {
      period: p.period,
      dueOn: p.due_on,
      quarter: p.quarter,
      principal: p.principal,
      interest: p.interest,
      subsidy: EARNS_NOTHING.includes(p.status) ? '0.00' : p.subsidy,
      amountDue: formatMoney(new Money(p.principal).plus(p.interest)),
      paid: p.paid,
      paidOn: SETTLED.includes(p.status) ? p.last_paid_on : null,
      onTime: p.status === 'paid_on_time' ? true : EARNS_NOTHING.includes(p.status) ? false : null,
      extended: p.extended,
      status: p.status,
    };
  });
  return {
    id: l.id,
    applicationId: l.application_id,
    status: l.status as 'REPAYING' | 'REPAID' | 'DEFAULTED',
    principal: l.principal,
    outstanding: l.outstanding_principal ?? l.principal,
    annualRate: l.annual_rate,
    repaymentMethod: l.repayment_method,
    disbursedOn: l.disbursed_on,
    termMonths: l.term_months,
    extendedMonths: l.extended_months,
    maturityOn: l.maturity_on,
    bankId: l.bank_id,
    guaranteeCompanyId: l.guarantee_company_id,
    contractNo: l.contract_no,
    policyId: l.policy_id,
    endedOn: l.ended_on,
    endReason: l.end_reason,
    subsidyEarned: formatMoney(earned),
    schedule,
    repayments: repayments.map((r) => ({
      period: r.period,
      kind: r.kind,
      amount: r.amount,
      interestPart: r.interest_part,
      principalPart: r.principal_part,
      paidOn: r.paid_on,
      bankReference: r.bank_reference,
    })),
    default: l.defaulted_on
      ? {
          on: l.defaulted_on,
          lossPrincipal: l.loss_principal!,
          lossInterest: l.loss_interest!,
          compensatedByFund: l.compensated_by_fund!,
          borneByBank: l.borne_by_bank!,
          compensatedByCompany: l.compensated_by_company!,
          recovered: l.recovered,
        }
      : null,
  };
}

export type LoanView = Awaited<ReturnType<typeof loanView>>;

/** 404 when there is no such loan; 403 when it is someone else's. */
export async function visibleLoan(db: Knex, id: string, caller: Caller): Promise<LoanRow> {
  const row = await findVisibleLoan(db, id, caller);
  return visibleOr403(db, 'loans', id, row, 'loan', "is not one of yours or your organisation's");
}

const loanRow = async (db: Knex, id: string): Promise<LoanRow> => db('loans').where({ id }).first();

export async function getLoan(deps: RecordsDeps, caller: Caller, id: string): Promise<LoanView> {
  return loanView(deps.db, await visibleLoan(deps.db, id, caller));
}

/**
 * How far behind a loan is, in the buckets banks report overdue loans by: the days since the
 * earliest due date of a period still not paid in full (0 when none is past due).
 */
export const OVERDUE_BUCKETS = ['current', 'd1_30', 'd31_90', 'd90'] as const;
export type OverdueBucket = (typeof OVERDUE_BUCKETS)[number];

export function overdueBucketOf(days: number): OverdueBucket {
  return days <= 0 ? 'current' : days <= 30 ? 'd1_30' : days <= 90 ? 'd31_90' : 'd90';
}

/** Loans the caller may see, newest first, without their schedules and repayments; each with its overdue days and bucket. */
export async function listLoans(deps: RecordsDeps, caller: Caller, f: { status?: string; bucket?: OverdueBucket; page: number; pageSize: number }) {
  const today = todayOf(deps);
  const base = scopeApplications(deps.db('loans as l').join('applications as a', 'a.id', 'l.application_id'), caller);
  if (f.status) base.where('l.status', f.status);
  if (f.bucket) {
    const ranges: Record<OverdueBucket, [number, number]> = { current: [0, 0], d1_30: [1, 30], d31_90: [31, 90], d90: [91, 1_000_000] };
    whereOverdueDays(base, today, ...ranges[f.bucket]);
  }
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const rows: Array<LoanRow & { overdue_since: string | null }> = await base
    .clone()
    .select('l.*', selectOverdueSince(deps.db, today))
    .orderBy([{ column: 'l.created_at', order: 'desc' }, { column: 'l.id' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  const items = await Promise.all(
    rows.map(async (r) => {
      const { schedule, repayments, ...rest } = await loanView(deps.db, r);
      const overdueDays = r.status === 'REPAYING' && r.overdue_since ? Math.max(0, daysBetween(r.overdue_since as IsoDate, today as IsoDate)) : 0;
      return { ...rest, overdueDays, overdueBucket: overdueBucketOf(overdueDays) };
    }),
  );
  return { items, total: Number(counted[0]?.count ?? 0) };
}

/**
 * What repays the loan in full on `paidOn` (today by default): the outstanding principal and the
 * broken period's interest for its actual days, as the repayment rule will accept it (domain/repayment.ts).
 */
export async function quoteEarlyRepayment(deps: RecordsDeps, caller: Caller, id: string, paidOn?: string) {
  const l = await visibleLoan(deps.db, id, caller);
  const on = (paidOn ?? todayOf(deps)) as IsoDate;
  if (l.status !== 'REPAYING') throw new DomainError('INVALID_STATE', `The loan is ${l.status}: nothing is left to repay early`);
  const [rows, policy] = await Promise.all([loanPeriods(deps.db, l.id), loanPolicyParams(deps.db, l.policy_id)]);
  const periods: LoanPeriod[] = rows.map((p) => ({
    period: p.period, dueOn: p.due_on, quarter: p.quarter, principal: p.principal, interest: p.interest, subsidy: p.subsidy,
    outstandingAfter: p.outstanding_after, extended: p.extended, paid: p.paid, lastPaidOn: p.last_paid_on, status: p.status as PeriodStatus,
  }));
  const terms = {
    repaymentMethod: l.repayment_method as RepaymentMethod,
    principal: l.principal, annualRate: l.annual_rate, disbursedOn: l.disbursed_on as IsoDate, termMonths: l.term_months, policy,
  };
  const quote = quotePayoff(terms, periods, on);
  if (!quote) {
    throw new DomainError('INVALID_STATE', `No early repayment on ${on}: it must fall after the current period began and before the last due date, with every earlier period paid and nothing yet paid towards the current one`, [
      { path: 'paidOn', message: 'no early repayment on this date' },
    ]);
  }
  return { ...quote, paidOn: on };
}

/** A decision for the loan's workflow; answers with the loan once it is recorded. */
async function decide(deps: WorkflowDeps, caller: Caller, id: string, request: DecisionRequest, send: (h: WorkflowHandle, meta: DecisionMeta) => Promise<unknown>): Promise<LoanView> {
  const row = await visibleLoan(deps.db, id, caller);
  try {
    await asking(() => send(deps.temporal.workflow.getHandle(loanWorkflowId(row.id)), metaOf(caller, request)));
  } catch (e) {
    if (!(e instanceof WorkflowClosedError)) throw e;
    const fresh = await loanRow(deps.db, row.id);
    throw new DomainError('INVALID_STATE', `Nothing more can be recorded on this loan: it is ${fresh.status}${fresh.end_reason ? ` (${fresh.end_reason})` : ''}`);
  }
  return loanView(deps.db, await loanRow(deps.db, row.id));
}

/** Each decision on a loan: one update of its workflow, answered with the loan. */
const decision = decisionsVia(decide);

/** The bank reports a repayment of its own loan. */
export const reportRepayment = decision(repaymentUpdate);

/** The bank extends the loan once (展期). */
export const extendLoan = decision(extensionUpdate);

/** The guarantee company reports money recovered after a default. */
export const reportRecovery = decision(recoveryUpdate);

/**
 * A person's integrity record (诚信档案): on-time history, defaults and recoveries (docs/domain.md
 * §4.3). The person reads their own; an officer or the auditor reads it only for a person they
 * handle — one with an
 * application visible to them (the applications' visibility rule, as certificates use it), so a
 * masked ID number cannot be completed by asking for every candidate. Anyone else gets the same
 * 404 whether or not the person exists. Each read of someone else's record is audited (the API
 * also limits how many a user makes: api/auth/read-limits.ts).
 */
export async function integrityRecord(deps: RecordsDeps, caller: Caller, idNumber: string, request: RequestIds) {
  const own = caller.role === 'applicant' && caller.idNumber === idNumber;
  if (caller.role === 'applicant' && !own) {
    throw new DomainError('FORBIDDEN', 'applicants may read only their own integrity record');
  }
  if (!own) {
    const handled = await scopeApplications(deps.db('applications as a').where('a.id_number', idNumber), caller).first('a.id');
    if (!handled) throw new DomainError('NOT_FOUND', 'no integrity record of a person whose application you handle');
    await audit(deps.db, {
      actor: actorOf(caller), action: 'integrity_record.read', entityType: 'integrity_record', entityId: idNumber,
      requestId: request.requestId, clientRequestId: request.clientRequestId, payload: { throughApplication: handled.id },
    });
  }
  const [events, loans] = await Promise.all([
    integrityEvents(deps.db, idNumber),
    deps.db('loans').where({ borrower_id_number: idNumber }).count<{ count: number }[]>('* as count'),
  ]);
  const count = (kind: string) => events.filter((e) => e.kind === kind).length;
  const recoveries = events.filter((e) => e.kind === 'recovery');
  return {
    idNumber,
    loans: Number(loans[0]?.count ?? 0),
    onTimePeriods: count('on_time'),
    latePeriods: count('late'),
    defaults: count('default'),
    recoveries: recoveries.length,
    recoveredAmount: formatMoney(sumMoney(recoveries.map((e) => e.amount as string))),
    events: events.map((e) => ({ at: e.on, kind: e.kind, loanId: e.loan_id, period: e.period, amount: e.amount, detail: e.detail })),
  };
}
