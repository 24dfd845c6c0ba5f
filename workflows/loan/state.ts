import { fail } from '../common';
import { compareDates } from '../../domain/dates';
import { formatMoney, toMoney } from '../../domain/money';
import { buildSchedule } from '../../domain/schedule';
import {
  type LoanPeriod,
  type Refusal,
  applyRepayment,
  isSettled,
  openPeriods,
  outstandingPrincipal,
  planRepayment,
  type RepaymentRequest,
} from '../../domain/repayment';
import { planExtension } from '../../domain/extension';
import { dueCheckpoints } from '../../domain/loan-calendar';
import { allocateRecovery, defaultLoss, splitLoss, type Loss, type LossSplit } from '../../domain/default';
import type { RecoveryBody } from '../../domain/loan-schemas';
import type { LoanRef } from '../../activities/loans';
import { failureTypes, type Actor, type LoanInput, type LoanState } from '../definitions';

/**
 * The loan's state machine (docs/domain.md §1.6–1.9): its periods, what a repayment, an extension
 * or a recovery may do to them, and what a checkpoint finds due. No Temporal calls: the handlers
 * (handlers.ts) take turns and record; the rules themselves are the pure ones of domain/.
 */

const KIND_TO_FAILURE: Record<Refusal['kind'], string> = {
  validation: failureTypes.validation,
  conflict: failureTypes.conflict,
  state: failureTypes.invalidState,
};

function refuse(what: string, refusals: Refusal[]): never {
  const first = refusals[0]!;
  fail(KIND_TO_FAILURE[first.kind], `${what}: ${first.path} ${first.message}`, refusals.map((r) => ({ path: r.path, message: r.message })));
}

/** The loan's schedule at disbursal, by the pure schedule code (docs/domain.md §3.3). */
export function initialPeriods(input: Pick<LoanInput, 'terms' | 'policy'>): LoanPeriod[] {
  const { terms, policy } = input;
  const lines = buildSchedule({
    repaymentMethod: terms.repaymentMethod,
    amount: terms.principal,
    annualRate: terms.annualRate,
    disbursedOn: terms.disbursedOn,
    termMonths: terms.termMonths,
    policy,
  });
  return openPeriods(lines.map((l) => ({ ...l, extended: false })));
}

/** What a checkpoint found due: the loan in default, or periods overdue. */
export type Checkpoint =
  | { kind: 'default'; record: { period: number; loss: Loss; split: LossSplit; periods: LoanPeriod[] } }
  /** periods: all of them, as they stand after; marked: those newly overdue. */
  | { kind: 'overdue'; periods: LoanPeriod[]; marked: LoanPeriod[] }
  | { kind: 'none' };

export class LoanMachine {
  readonly state: LoanState;
  /** What every activity is told of the loan. */
  readonly ref: LoanRef;

  constructor(readonly input: LoanInput) {
    const { terms } = input;
    this.ref = {
      loanId: input.loanId,
      applicationId: input.applicationId,
      bankId: input.bankId,
      guaranteeCompanyId: input.guaranteeCompanyId,
      idNumber: input.borrowerIdNumber,
      principal: terms.principal,
    };
    this.state = input.carried ?? {
      loanId: input.loanId,
      status: 'REPAYING',
      // The same pure schedule the disbursal wrote to the read model.
      periods: initialPeriods(input),
      extendedMonths: 0,
      bankReferences: [],
      recoveryReferences: [],
      defaulted: null,
      endedOn: null,
      seq: 0,
      run: 1,
    };
  }

  requireStatus(expected: LoanState['status'], what: string): void {
    if (this.state.status !== expected) fail(failureTypes.invalidState, `${what} is not possible while the loan is ${this.state.status}`);
  }

  requireBank(actor: Actor, what: string): void {
    if (actor.role !== 'bank_officer') fail(failureTypes.forbidden, `${what} needs the bank_officer role`);
    if (actor.orgId !== this.input.bankId) fail(failureTypes.forbidden, `${what}: this loan belongs to another bank`);
  }

  // ---- repayments ----------------------------------------------------------------------------

  checkRepayment(b: RepaymentRequest, today: string) {
    const r = planRepayment(this.input.terms, this.state.periods, b, { today, knownReferences: this.state.bankReferences });
    if (!r.ok) refuse('Repayment refused', r.refusals);
    return r.plan;
  }

  /** The repayment's effect on the periods, before it is recorded. */
  planRepayment(b: RepaymentRequest, today: string) {
    const { terms } = this.input;
    const plan = this.checkRepayment(b, today);
    const applied = applyRepayment(terms, this.state.periods, plan, b.paidOn);
    return {
      plan,
      applied,
      target: applied.periods.find((p) => p.period === plan.period)!,
      outstanding: formatMoney(outstandingPrincipal(terms.principal, applied.periods)),
    };
  }

  repaid(b: RepaymentRequest, applied: ReturnType<typeof applyRepayment>): void {
    this.state.periods = applied.periods;
    this.state.bankReferences.push(b.bankReference);
    if (applied.repaidInFull) {
      this.state.status = 'REPAID';
      this.state.endedOn = b.paidOn;
    }
  }

  // ---- extension (展期) ------------------------------------------------------------------------

  checkExtension(months: number, today: string) {
    const r = planExtension(this.input.terms, this.state.periods, { months }, {
      today,
      extendedBefore: this.state.extendedMonths > 0,
      extensionMaxMonths: this.input.policy.extensionMaxMonths,
    });
    if (!r.ok) refuse('Extension refused', r.refusals);
    return r;
  }

  extended(periods: LoanPeriod[], months: number): void {
    this.state.periods = periods;
    this.state.extendedMonths = months;
  }

  // ---- recoveries after a default --------------------------------------------------------------

  /** What the guarantors paid and have not yet recovered. */
  receivable() {
    const d = this.state.defaulted!;
    return toMoney(d.split.guaranteeFund).plus(d.split.guaranteeCompany).minus(d.recovered);
  }

  checkRecovery(b: Pick<RecoveryBody, 'amount' | 'receivedOn' | 'reference'>, actor: Actor, today: string): void {
    if (actor.role !== 'guarantee_reviewer' && actor.role !== 'guarantee_approver') {
      fail(failureTypes.forbidden, 'Recording a recovery needs a guarantee officer role');
    }
    if (actor.orgId !== this.input.guaranteeCompanyId) fail(failureTypes.forbidden, 'Recording a recovery: this loan is guaranteed by another company');
    this.requireStatus('DEFAULTED', 'A recovery');
    const details: Array<{ path: string; message: string }> = [];
    const left = this.receivable();
    if (!left.greaterThan(0)) fail(failureTypes.invalidState, 'Nothing is left to recover on this loan');
    if (toMoney(b.amount).greaterThan(left)) details.push({ path: 'amount', message: `must be at most ${formatMoney(left)}, what is still to recover` });
    if (compareDates(b.receivedOn, today) > 0) details.push({ path: 'receivedOn', message: `must not be in the future (today is ${today})` });
    if (compareDates(b.receivedOn, this.state.defaulted!.on) < 0) details.push({ path: 'receivedOn', message: `must not be before the default on ${this.state.defaulted!.on}` });
    if (details.length) fail(failureTypes.validation, `Recovery refused: ${details[0]!.path} ${details[0]!.message}`, details);
    if (this.state.recoveryReferences.includes(b.reference)) {
      fail(failureTypes.conflict, `Recovery refused: reference ${b.reference} is already recorded`, [{ path: 'reference', message: 'already recorded for this loan' }]);
    }
  }

  /** How a recovery is shared between the guarantors, and what they will have recovered after it. */
  planRecovery(b: Pick<RecoveryBody, 'amount'>) {
    const d = this.state.defaulted!;
    return { allocation: allocateRecovery(d.split, d.recovered, b.amount), recoveredAfter: formatMoney(toMoney(d.recovered).plus(b.amount)) };
  }

  recovered(reference: string, recoveredAfter: string): void {
    this.state.defaulted!.recovered = recoveredAfter;
    this.state.recoveryReferences.push(reference);
  }

  // ---- due-date checkpoints --------------------------------------------------------------------

  /** What is due on `today`: default past the threshold first, else periods newly overdue. */
  checkpoint(today: string): Checkpoint {
    const { policy, terms } = this.input;
    const due = dueCheckpoints(this.state.periods, today, policy);
    if (due.defaultPeriod !== null) {
      const loss = defaultLoss(terms.principal, this.state.periods, today);
      const split = splitLoss(loss.total, policy.lossSharing);
      const periods = this.state.periods.map((p): LoanPeriod => (isSettled(p) ? p : { ...p, status: 'defaulted' }));
      return { kind: 'default', record: { period: due.defaultPeriod, loss, split, periods } };
    }
    if (due.overdue.length) {
      const periods = this.state.periods.map((p): LoanPeriod => (due.overdue.includes(p.period) ? { ...p, status: 'overdue' } : p));
      return { kind: 'overdue', periods, marked: periods.filter((p) => due.overdue.includes(p.period)) };
    }
    return { kind: 'none' };
  }

  defaulted(c: Extract<Checkpoint, { kind: 'default' }>['record'], today: string): void {
    this.state.periods = c.periods;
    this.state.status = 'DEFAULTED';
    this.state.endedOn = today;
    this.state.defaulted = { on: today, period: c.period, loss: c.loss, split: c.split, recovered: '0.00' };
  }

  /** Due dates passed in this run: a run covers a bounded number before continuing as new. */
  dueDatesSince(runStartedOn: string, today: string): number {
    return this.state.periods.filter((p) => compareDates(p.dueOn, runStartedOn) > 0 && compareDates(p.dueOn, today) <= 0).length;
  }
}
