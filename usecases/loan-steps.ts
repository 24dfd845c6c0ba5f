import type { Knex } from 'knex';
import type { StepDeps } from './deps';
import { loanWorkflowId, type Actor } from '../workflows/definitions';
import { audit } from '../db/repositories/audit';
import { deletePeriodsAfter, insertIntegrityEvent, insertLoanEvent, upsertPeriods } from '../db/repositories/loans';
import { accountCode, accrueSubsidy, getPeriod, postEntry, type LineInput } from '../db/ledger';
import { quarterOf } from '../domain/dates';
import { formatMoney, sumMoney, toMoney } from '../domain/money';
import type { LoanPeriod } from '../domain/repayment';
import type { Loss, LossSplit } from '../domain/default';
import type { RecoveryBody, RepaymentBody } from '../domain/loan-schemas';

type Trx = Knex.Transaction;

/**
 * The business date an entry is posted on: the day the money moved, unless its quarter has been
 * closed since (a bank may report late), in which case the day it is recorded (docs/domain.md §1.8).
 */
async function postingDate(trx: Trx, moneyMovedOn: string, recordedOn: string): Promise<string> {
  const period = await getPeriod(trx, quarterOf(moneyMovedOn));
  return period.status === 'closed' ? recordedOn : moneyMovedOn;
}

/** Lines with a zero amount say nothing and the ledger refuses them. */
const nonZero = (lines: LineInput[]) => lines.filter((l) => toMoney(l.amount).greaterThan(0));

/**
 * The entry of money a loan's step reports (a repayment, a recovery), keyed on the step and posted
 * on the date postingDate gives for the day the money moved; answers the entry and that date.
 */
async function postLoanMoney(
  trx: Trx,
  r: { key: string; today: string },
  movedOn: string,
  e: { kind: string; description: string; metadata: Record<string, unknown>; lines: LineInput[] },
) {
  const on = await postingDate(trx, movedOn, r.today);
  const entry = await postEntry(trx, { idempotencyKey: `${r.key}:ledger`, postedOn: on, kind: e.kind, description: e.description, metadata: e.metadata, lines: nonZero(e.lines) });
  return { on, entry };
}

/** The guarantee stops being a commitment when the loan is repaid or the guarantee is called. */
async function releaseCommitment(trx: Trx, key: string, loan: { id: string; guaranteeCompanyId: string; principal: string }, on: string) {
  await postEntry(trx, {
    idempotencyKey: `${key}:commitment`,
    postedOn: on,
    kind: 'guarantee.release',
    description: `Guarantee of loan ${loan.id} released`,
    metadata: { loanId: loan.id },
    lines: [
      { account: accountCode.guarantor(loan.guaranteeCompanyId, 'commitments_contra'), side: 'debit', amount: loan.principal },
      { account: accountCode.guarantor(loan.guaranteeCompanyId, 'commitments'), side: 'credit', amount: loan.principal },
    ],
  });
}

export interface OpenLoan {
  key: string;
  loanId: string;
  bankId: string;
  guaranteeCompanyId: string;
  idNumber: string;
  principal: string;
  disbursedOn: string;
  recordedOn: string;
  contractNo: string;
  periods: LoanPeriod[];
}

/**
 * Everything a disbursal opens, inside the disbursal's own transaction: the schedule, the loan's
 * servicing columns, the ledger's disbursal and guarantee commitment, and the borrower's record.
 */
export async function openLoanRecords(trx: Trx, o: OpenLoan): Promise<void> {
  await upsertPeriods(trx, o.loanId, o.periods);
  await trx('loans')
    .where({ id: o.loanId })
    .update({
      guarantee_company_id: o.guaranteeCompanyId,
      workflow_id: loanWorkflowId(o.loanId),
      maturity_on: o.periods[o.periods.length - 1]!.dueOn,
      outstanding_principal: o.principal,
      updated_at: trx.fn.now(),
    });
  const on = await postingDate(trx, o.disbursedOn, o.recordedOn);
  await postEntry(trx, {
    idempotencyKey: `${o.key}:disbursal`,
    postedOn: on,
    kind: 'loan.disbursal',
    description: `Loan ${o.loanId} disbursed under contract ${o.contractNo}`,
    metadata: { loanId: o.loanId },
    lines: [
      { account: accountCode.bank(o.bankId, 'loans_receivable'), side: 'debit', amount: o.principal },
      { account: accountCode.bank(o.bankId, 'cash'), side: 'credit', amount: o.principal },
    ],
  });
  await postEntry(trx, {
    idempotencyKey: `${o.key}:commitment`,
    postedOn: on,
    kind: 'guarantee.commitment',
    description: `Guarantee of loan ${o.loanId}`,
    metadata: { loanId: o.loanId },
    lines: [
      { account: accountCode.guarantor(o.guaranteeCompanyId, 'commitments'), side: 'debit', amount: o.principal },
      { account: accountCode.guarantor(o.guaranteeCompanyId, 'commitments_contra'), side: 'credit', amount: o.principal },
    ],
  });
  await insertIntegrityEvent(trx, {
    idNumber: o.idNumber, loanId: o.loanId, kind: 'disbursed', on: o.disbursedOn, amount: o.principal,
    detail: `loan of ${o.principal} disbursed, ${o.periods.length} periods to ${o.periods[o.periods.length - 1]!.dueOn}`, key: `${o.key}:integrity`,
  });
}

export interface LoanRef {
  loanId: string;
  applicationId: string;
  bankId: string;
  guaranteeCompanyId: string;
  idNumber: string;
  principal: string;
}

export interface RepaymentRecord {
  key: string;
  loan: LoanRef;
  today: string;
  actor: Actor;
  requestId: string;
  clientRequestId?: string | null;
  repayment: RepaymentBody;
  plan: { kind: 'scheduled' | 'payoff'; interestPart: string; principalPart: string };
  /** The period rows as they now stand; for an early payoff, later periods are dropped. */
  periods: LoanPeriod[];
  dropAfter: number | null;
  settled: { period: number; onTime: boolean; subsidy: string; dueOn: string; quarter: string } | null;
  repaidInFull: boolean;
  outstanding: string;
}

export interface LoanStep {
  key: string;
  loan: LoanRef;
  today: string;
}

/** The steps of a loan's workflow, each run by an activity (activities/loans.ts), once per key. */
export function loanSteps({ db, clock }: StepDeps) {
  const step = <T>(fn: (trx: Trx, at: Date) => Promise<T>) => db.transaction((trx) => fn(trx, clock.now()));

  return {
    /**
     * A repayment the bank reported: its ledger entry, the period, and — when it settles the period
     * on time — the subsidy accrued to the bank; all in one transaction, once per key.
     */
    async recordRepayment(r: RepaymentRecord): Promise<void> {
      const { loan, repayment: b } = r;
      await step(async (trx, at) => {
        const fresh = await insertLoanEvent(trx, {
          loanId: loan.loanId, step: r.plan.kind === 'payoff' ? 'early_repayment' : 'repayment', on: r.today, key: r.key,
          actor: r.actor, period: b.period, amount: b.amount, detail: `paid on ${b.paidOn}, bank reference ${b.bankReference}`,
        });
        if (!fresh) return;
        const { on, entry } = await postLoanMoney(trx, r, b.paidOn, {
          kind: 'loan.repayment',
          description: `Loan ${loan.loanId} period ${b.period}${r.plan.kind === 'payoff' ? ' (early full repayment)' : ''}, bank reference ${b.bankReference}`,
          metadata: { loanId: loan.loanId, period: b.period },
          lines: [
            { account: accountCode.bank(loan.bankId, 'cash'), side: 'debit', amount: b.amount },
            { account: accountCode.bank(loan.bankId, 'loans_receivable'), side: 'credit', amount: r.plan.principalPart },
            { account: accountCode.bank(loan.bankId, 'interest_income'), side: 'credit', amount: r.plan.interestPart },
          ],
        });
        await trx('loan_repayments').insert({
          loan_id: loan.loanId, period: b.period, kind: r.plan.kind, amount: b.amount,
          interest_part: r.plan.interestPart, principal_part: r.plan.principalPart, paid_on: b.paidOn,
          bank_reference: b.bankReference, recorded_by: r.actor.userId, recorded_at: at, ledger_entry_id: entry.id, idempotency_key: r.key,
        });
        if (r.dropAfter !== null) await deletePeriodsAfter(trx, loan.loanId, r.dropAfter);
        await upsertPeriods(trx, loan.loanId, r.periods);
        const s = r.settled;
        if (s && s.onTime && toMoney(s.subsidy).greaterThan(0)) {
          const accrual = await accrueSubsidy(trx, {
            bankOrgId: loan.bankId, amount: s.subsidy, postedOn: on, idempotencyKey: `${r.key}:accrual`,
            description: `Interest subsidy earned by loan ${loan.loanId} period ${s.period} (due ${s.dueOn}, paid on time)`,
            metadata: { loanId: loan.loanId, period: s.period, quarter: s.quarter },
          });
          await trx('subsidy_accruals').insert({
            loan_id: loan.loanId, period: s.period, bank_id: loan.bankId, quarter: s.quarter, due_on: s.dueOn,
            amount: s.subsidy, accrued_on: on, ledger_entry_id: accrual.id, idempotency_key: `${r.key}:accrual`,
          });
        }
        if (s) {
          await insertIntegrityEvent(trx, {
            idNumber: loan.idNumber, loanId: loan.loanId, kind: s.onTime ? 'on_time' : 'late', on: b.paidOn, period: s.period,
            detail: s.onTime ? `period ${s.period} (due ${s.dueOn}) paid on time` : `period ${s.period} (due ${s.dueOn}) paid late, on ${b.paidOn}`,
            key: `${r.key}:integrity`,
          });
        }
        const loanUpdate: Record<string, unknown> = { outstanding_principal: r.outstanding, updated_at: at };
        if (r.repaidInFull) {
          const early = r.plan.kind === 'payoff';
          Object.assign(loanUpdate, { status: 'REPAID', ended_on: b.paidOn, end_reason: early ? `repaid early in full on ${b.paidOn}` : `repaid in full on ${b.paidOn}` });
          await releaseCommitment(trx, r.key, { id: loan.loanId, guaranteeCompanyId: loan.guaranteeCompanyId, principal: loan.principal }, on);
          await insertIntegrityEvent(trx, {
            idNumber: loan.idNumber, loanId: loan.loanId, kind: early ? 'early_repaid' : 'repaid', on: b.paidOn,
            detail: early ? `loan repaid early in full on ${b.paidOn}` : `loan repaid in full on ${b.paidOn}`, key: `${r.key}:repaid`,
          });
        }
        await trx('loans').where({ id: loan.loanId }).update(loanUpdate);
        // The application ends after its loan: the database lets it end only as its loan has.
        if (r.repaidInFull) await trx('applications').where({ id: loan.applicationId }).update({ status: 'REPAID', updated_at: at });
        await audit(trx, {
          key: r.key, at, actor: r.actor, action: r.plan.kind === 'payoff' ? 'loan.early_repayment' : 'loan.repayment',
          entityType: 'loan', entityId: loan.loanId, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null,
          payload: { ...b, interestPart: r.plan.interestPart, principalPart: r.plan.principalPart, settled: s, ledgerEntryId: entry.id },
        });
      });
    },

    /** Periods not paid in full by their due date plus grace: marked overdue (they may still be reported paid on time). */
    async markOverdue(r: LoanStep & { periods: LoanPeriod[] }): Promise<void> {
      await step(async (trx) => {
        const fresh = await insertLoanEvent(trx, {
          loanId: r.loan.loanId, step: 'overdue', on: r.today, key: r.key,
          detail: `not paid in full by the due date: period ${r.periods.map((p) => p.period).join(', ')}`,
        });
        if (fresh) await upsertPeriods(trx, r.loan.loanId, r.periods);
      });
    },

    async recordExtension(r: LoanStep & { actor: Actor; requestId: string; clientRequestId?: string | null; months: number; reason: string; periods: LoanPeriod[] }): Promise<void> {
      await step(async (trx, at) => {
        const fresh = await insertLoanEvent(trx, {
          loanId: r.loan.loanId, step: 'extension', on: r.today, key: r.key, actor: r.actor, detail: `extended by ${r.months} months: ${r.reason}`,
        });
        if (!fresh) return;
        await upsertPeriods(trx, r.loan.loanId, r.periods);
        const maturity = r.periods[r.periods.length - 1]!.dueOn;
        await trx('loans').where({ id: r.loan.loanId }).update({ extended_months: r.months, maturity_on: maturity, updated_at: at });
        await insertIntegrityEvent(trx, {
          idNumber: r.loan.idNumber, loanId: r.loan.loanId, kind: 'extended', on: r.today,
          detail: `term extended by ${r.months} months to ${maturity}; extended periods earn no subsidy`, key: `${r.key}:integrity`,
        });
        await audit(trx, {
          key: r.key, at, actor: r.actor, action: 'loan.extension', entityType: 'loan', entityId: r.loan.loanId,
          reason: r.reason, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { months: r.months, maturityOn: maturity },
        });
      });
    },

    /**
     * Overdue past the threshold: DEFAULTED, and the compensation (代偿) split by the policy's loss
     * sharing — the guarantee fund's and the company's parts paid to the bank and recoverable
     * from the borrower, the bank's part its own loss.
     */
    async recordDefault(r: LoanStep & { period: number; loss: Loss; split: LossSplit; periods: LoanPeriod[] }): Promise<void> {
      const { loan, loss, split } = r;
      await step(async (trx, at) => {
        const fresh = await insertLoanEvent(trx, {
          loanId: loan.loanId, step: 'default', on: r.today, key: r.key, period: r.period, amount: loss.total,
          detail: `period ${r.period} overdue past the threshold; loss ${loss.total} (principal ${loss.principal}, interest ${loss.interest})`,
        });
        if (!fresh) return;
        const compensated = formatMoney(sumMoney([split.guaranteeFund, split.guaranteeCompany]));
        const entry = await postEntry(trx, {
          idempotencyKey: `${r.key}:compensation`,
          postedOn: r.today,
          kind: 'loan.compensation',
          description: `Compensation (代偿) of defaulted loan ${loan.loanId}: fund ${split.guaranteeFund}, bank ${split.bank}, company ${split.guaranteeCompany}`,
          metadata: { loanId: loan.loanId, ...split },
          lines: nonZero([
            { account: accountCode.bank(loan.bankId, 'cash'), side: 'debit', amount: compensated },
            { account: accountCode.bank(loan.bankId, 'loan_losses'), side: 'debit', amount: split.bank },
            { account: accountCode.bank(loan.bankId, 'loans_receivable'), side: 'credit', amount: loss.principal },
            { account: accountCode.bank(loan.bankId, 'interest_income'), side: 'credit', amount: loss.interest },
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'compensation_receivable'), side: 'debit', amount: compensated },
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'guarantee_fund'), side: 'credit', amount: split.guaranteeFund },
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'own_funds'), side: 'credit', amount: split.guaranteeCompany },
          ]),
        });
        await releaseCommitment(trx, r.key, { id: loan.loanId, guaranteeCompanyId: loan.guaranteeCompanyId, principal: loan.principal }, r.today);
        await upsertPeriods(trx, loan.loanId, r.periods);
        await trx('loans').where({ id: loan.loanId }).update({
          status: 'DEFAULTED', defaulted_on: r.today, ended_on: r.today, end_reason: `in default: period ${r.period} overdue past the threshold`,
          loss_principal: loss.principal, loss_interest: loss.interest, compensated_by_fund: split.guaranteeFund,
          borne_by_bank: split.bank, compensated_by_company: split.guaranteeCompany, updated_at: at,
        });
        await trx('applications').where({ id: loan.applicationId }).update({ status: 'DEFAULTED', end_reason: `loan in default since ${r.today}`, updated_at: at });
        await insertIntegrityEvent(trx, {
          idNumber: loan.idNumber, loanId: loan.loanId, kind: 'default', on: r.today, period: r.period, amount: loss.total,
          detail: `loan in default: period ${r.period} overdue past the threshold, ${loss.total} outstanding`, key: `${r.key}:integrity`,
        });
        await insertIntegrityEvent(trx, {
          idNumber: loan.idNumber, loanId: loan.loanId, kind: 'compensation', on: r.today, amount: compensated,
          detail: `guarantee called: ${compensated} compensated to the bank (fund ${split.guaranteeFund}, company ${split.guaranteeCompany}); bank bears ${split.bank}`,
          key: `${r.key}:compensation`,
        });
        await audit(trx, {
          key: r.key, at, actor: null, action: 'loan.default', entityType: 'loan', entityId: loan.loanId,
          reason: `period ${r.period} overdue past the threshold`, requestId: null, payload: { loss, split, ledgerEntryId: entry.id },
        });
      });
    },

    /** Money recovered from the borrower after a default, back to those who compensated. */
    async recordRecovery(
      r: LoanStep & { actor: Actor; requestId: string; clientRequestId?: string | null; recovery: RecoveryBody; allocation: { guaranteeFund: string; guaranteeCompany: string }; recoveredAfter: string },
    ): Promise<void> {
      const { loan, recovery: b, allocation } = r;
      await step(async (trx, at) => {
        const fresh = await insertLoanEvent(trx, {
          loanId: loan.loanId, step: 'recovery', on: r.today, key: r.key, actor: r.actor, amount: b.amount,
          detail: `received on ${b.receivedOn}, reference ${b.reference}${b.note ? `: ${b.note}` : ''}`,
        });
        if (!fresh) return;
        const { entry } = await postLoanMoney(trx, r, b.receivedOn, {
          kind: 'loan.recovery',
          description: `Recovery on defaulted loan ${loan.loanId}, reference ${b.reference}`,
          metadata: { loanId: loan.loanId, ...allocation },
          lines: [
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'guarantee_fund'), side: 'debit', amount: allocation.guaranteeFund },
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'own_funds'), side: 'debit', amount: allocation.guaranteeCompany },
            { account: accountCode.guarantor(loan.guaranteeCompanyId, 'compensation_receivable'), side: 'credit', amount: b.amount },
          ],
        });
        await trx('loans').where({ id: loan.loanId }).update({ recovered: r.recoveredAfter, updated_at: at });
        await insertIntegrityEvent(trx, {
          idNumber: loan.idNumber, loanId: loan.loanId, kind: 'recovery', on: b.receivedOn, amount: b.amount,
          detail: `${b.amount} recovered (total ${r.recoveredAfter})`, key: `${r.key}:integrity`,
        });
        await audit(trx, {
          key: r.key, at, actor: r.actor, action: 'loan.recovery', entityType: 'loan', entityId: loan.loanId,
          reason: b.note || null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { ...b, allocation, ledgerEntryId: entry.id },
        });
      });
    },
  };
}

export type LoanSteps = ReturnType<typeof loanSteps>;
