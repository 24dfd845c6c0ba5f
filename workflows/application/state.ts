import type { StepChanges } from '../../activities/applications';
import type { ApplicationStatus } from '../../domain/enums';
import type { CounterGuaranteeDecision, Disbursal, GuaranteeApproval, GuaranteeReview, Withdrawal } from '../../domain/application-schemas';
import type { PolicyParams } from '../../domain/policy';
import { checkApprovedAmount } from '../../domain/eligibility';
import { addDays, compareDates } from '../../domain/dates';
import { Money } from '../../domain/money';
import { fail } from '../common';
import { failureTypes, type Actor, type ApplicationInput, type ApplicationState, type DecisionMeta, type IntakeResult } from '../definitions';
import { WAITING_STEPS, auditOf, deadlineOf, type Step, type WaitingStatus } from './steps';

/**
 * The application's state machine: where it stands, what each decision may do from there, and what
 * each step writes. No Temporal calls: the handlers (handlers.ts) take turns, call the activities
 * and feed the steps back here. The steps are those of docs/domain.md §1.
 */

export { WAITING_STEPS, type WaitingStatus, type Step } from './steps';

const BEFORE_DISBURSAL: readonly ApplicationStatus[] = [
  'AWAITING_COUNTER_GUARANTEE',
  'AWAITING_GUARANTEE_REVIEW',
  'AWAITING_GUARANTEE_APPROVAL',
  'AWAITING_DISBURSAL',
];

export class ApplicationMachine {
  readonly state: ApplicationState;
  /** The policy version the application keeps (known once registered). */
  policy: PolicyParams | undefined;
  guaranteeCompanyId: string | null = null;
  bankId: string | null;
  reviewedBy: string | null = null;
  approvedOn: string | null = null;
  /** What the submitter is told; undefined while the intake runs. */
  intake: IntakeResult | undefined;

  constructor(readonly input: ApplicationInput) {
    this.bankId = input.bankId;
    this.state = {
      id: input.applicationId,
      status: 'SUBMITTED',
      requestedAmount: input.requestedAmount,
      recommendedAmount: null,
      approvedAmount: null,
      loanId: null,
      stepDeadline: null,
      endReason: null,
      history: [],
      incidents: [],
    };
  }

  /** When a step entered now must be decided by. */
  deadlineFor(s: WaitingStatus, nowMs: number): string {
    return deadlineOf(this.policy!, s, nowMs);
  }

  /** A recorded step, mirrored in memory: status, deadline, end reason, amounts, history. */
  apply(r: Step, at: string, today: string): void {
    const set: StepChanges = r.set ?? {};
    if (r.status) this.state.status = r.status;
    if (set.stepDeadline !== undefined) this.state.stepDeadline = set.stepDeadline;
    if (set.endReason !== undefined) this.state.endReason = set.endReason;
    this.state.history.push({
      step: r.step,
      decision: r.decision,
      by: r.actor?.username ?? null,
      role: r.actor?.role ?? null,
      at,
      reason: r.reason,
      ...(r.amount ? { amount: r.amount } : {}),
    });
    if (set.reviewedBy !== undefined) this.reviewedBy = set.reviewedBy;
    if (set.recommendedAmount !== undefined) this.state.recommendedAmount = set.recommendedAmount;
    if (set.approvedAmount !== undefined) {
      this.state.approvedAmount = set.approvedAmount;
      this.approvedOn = today;
    }
  }

  // ---- what each decision may do -------------------------------------------------------------

  private requireStep(expected: ApplicationStatus, what: string): void {
    if (this.intake === undefined) fail(failureTypes.invalidState, 'The application is still being checked; try again in a moment');
    if (this.state.status !== expected) {
      fail(failureTypes.invalidState, `${what} is not possible while the application is ${this.state.status}`);
    }
  }

  private requireOrg(actor: Actor, role: string, orgId: string | null, what: string): void {
    if (actor.role !== role) fail(failureTypes.forbidden, `${what} needs the ${role} role`);
    if (!orgId || actor.orgId !== orgId) fail(failureTypes.forbidden, `${what} belongs to another organisation`);
  }

  private requireAmount(amount: string): void {
    const v = checkApprovedAmount(amount, this.input.requestedAmount, this.policy!);
    if (v.length) fail(failureTypes.validation, v[0]!.message, v.map((x) => ({ path: x.path, message: x.message })));
  }

  checkCounterGuarantee(_d: CounterGuaranteeDecision, meta: DecisionMeta): void {
    this.requireStep('AWAITING_COUNTER_GUARANTEE', 'A counter-guarantee decision');
    this.requireOrg(meta.actor, 'community_officer', this.input.communityId, "This applicant's counter-guarantee");
  }

  checkGuaranteeReview(d: GuaranteeReview, meta: DecisionMeta): void {
    this.requireStep('AWAITING_GUARANTEE_REVIEW', 'A guarantee review');
    this.requireOrg(meta.actor, 'guarantee_reviewer', this.guaranteeCompanyId, 'This guarantee');
    if (d.recommendation === 'approve') this.requireAmount(d.amount!);
  }

  checkGuaranteeApproval(d: GuaranteeApproval, meta: DecisionMeta): void {
    this.requireStep('AWAITING_GUARANTEE_APPROVAL', 'A guarantee approval');
    this.requireOrg(meta.actor, 'guarantee_approver', this.guaranteeCompanyId, 'This guarantee');
    // Maker–checker: whoever reviewed may not also approve.
    if (meta.actor.userId === this.reviewedBy) {
      fail(failureTypes.forbidden, 'The approver must be a different person from the reviewer (maker–checker)');
    }
    if (d.decision === 'approve') this.requireAmount(d.amount!);
  }

  checkDisbursal(d: Disbursal, meta: DecisionMeta, today: string): void {
    const policy = this.policy!;
    this.requireStep('AWAITING_DISBURSAL', 'A disbursal');
    if (meta.actor.role !== 'bank_officer') fail(failureTypes.forbidden, 'A disbursal needs the bank_officer role');
    if (this.bankId !== null && meta.actor.orgId !== this.bankId) fail(failureTypes.forbidden, 'This application is assigned to another bank');
    const details: Array<{ path: string; message: string }> = [];
    if (new Money(d.amount).greaterThan(this.state.approvedAmount!)) {
      details.push({ path: 'amount', message: `must not exceed the approved guarantee of ${this.state.approvedAmount}` });
    }
    if (new Money(d.annualRate).greaterThan(policy.rateCap)) {
      details.push({ path: 'annualRate', message: `must not exceed the policy's rate cap of ${policy.rateCap}` });
    }
    if (compareDates(d.disbursedOn, today) > 0) details.push({ path: 'disbursedOn', message: `must not be in the future (today is ${today})` });
    const earliest = addDays(today, -policy.backdatingWindowDays);
    if (compareDates(d.disbursedOn, earliest) < 0) {
      details.push({ path: 'disbursedOn', message: `must be within the back-dating window of ${policy.backdatingWindowDays} days (on or after ${earliest})` });
    } else if (this.approvedOn && compareDates(d.disbursedOn, this.approvedOn) < 0) {
      details.push({ path: 'disbursedOn', message: `must not be before the guarantee approval on ${this.approvedOn}` });
    }
    if (details.length) fail(failureTypes.validation, `Invalid disbursal: ${details[0]!.path} ${details[0]!.message}`, details);
  }

  checkWithdrawal(_d: Withdrawal, meta: DecisionMeta): void {
    if (meta.actor.userId !== this.input.applicantUserId) fail(failureTypes.forbidden, 'Only the applicant may withdraw the application');
    if (this.intake === undefined) fail(failureTypes.invalidState, 'The application is still being checked; try again in a moment');
    if (!BEFORE_DISBURSAL.includes(this.state.status)) {
      fail(failureTypes.invalidState, `An application that is ${this.state.status} can no longer be withdrawn`);
    }
  }

  // ---- what each step writes -----------------------------------------------------------------

  counterGuarantee(d: CounterGuaranteeDecision, meta: DecisionMeta, nowMs: number): Step {
    const common = { step: 'counter_guarantee', actor: meta.actor, reason: d.reason };
    if (d.decision === 'approve') {
      return {
        ...common, decision: 'approved', status: 'AWAITING_GUARANTEE_REVIEW',
        set: { counterGuaranteeType: d.type, stepDeadline: this.deadlineFor('AWAITING_GUARANTEE_REVIEW', nowMs) },
        audit: auditOf('counter_guarantee.approve', meta, d),
      };
    }
    return {
      ...common, decision: 'rejected', status: 'REJECTED',
      set: { counterGuaranteeType: d.type, endReason: `counter-guarantee refused: ${d.reason}`, stepDeadline: null },
      audit: auditOf('counter_guarantee.reject', meta, d),
    };
  }

  guaranteeReview(d: GuaranteeReview, meta: DecisionMeta, nowMs: number): Step {
    // The reviewer is remembered either way: whoever reviewed may not approve.
    const reviewer = { reviewedBy: meta.actor.userId };
    return this.guaranteeStep('guarantee_review', d, meta, nowMs, d.recommendation, {
      decided: 'recommended', next: 'AWAITING_GUARANTEE_APPROVAL', approved: { recommendedAmount: d.amount!, ...reviewer }, rejected: reviewer,
    });
  }

  guaranteeApproval(d: GuaranteeApproval, meta: DecisionMeta, nowMs: number): Step {
    return this.guaranteeStep('guarantee_approval', d, meta, nowMs, d.decision, {
      decided: 'approved', next: 'AWAITING_DISBURSAL', approved: { approvedAmount: d.amount! }, rejected: {},
    });
  }

  /** A guarantee decision: approved, the application moves on to its next deadline; else it ends. */
  private guaranteeStep(
    step: 'guarantee_review' | 'guarantee_approval',
    d: { amount?: string | null; reason: string },
    meta: DecisionMeta,
    nowMs: number,
    choice: 'approve' | 'reject',
    o: { decided: string; next: WaitingStatus; approved: StepChanges; rejected: StepChanges },
  ): Step {
    const approve = choice === 'approve';
    return {
      step, decision: approve ? o.decided : 'rejected', actor: meta.actor, reason: d.reason,
      amount: d.amount ?? null,
      status: approve ? o.next : 'REJECTED',
      set: approve
        ? { ...o.approved, stepDeadline: this.deadlineFor(o.next, nowMs) }
        : { ...o.rejected, endReason: `${step.replace('_', ' ')} rejected: ${d.reason}`, stepDeadline: null },
      audit: auditOf(`${step}.${choice}`, meta, d),
    };
  }

  withdrawal(d: Withdrawal, meta: DecisionMeta): Step {
    return {
      step: 'withdrawal', decision: 'withdrawn', actor: meta.actor, reason: d.reason || null,
      status: 'WITHDRAWN', set: { endReason: d.reason ? `withdrawn by the applicant: ${d.reason}` : 'withdrawn by the applicant', stepDeadline: null },
      audit: auditOf('application.withdraw', meta, d),
    };
  }

  /** Half of a step's time has passed without a decision. */
  reminder(waiting: WaitingStatus): Step {
    const { step, days } = WAITING_STEPS[waiting];
    return {
      step: `${step}_reminder`, decision: 'reminded', actor: null,
      reason: `half of the ${days(this.policy!)}-day deadline has passed; decision due by ${this.state.stepDeadline}`,
      audit: { action: `${step}.reminder`, requestId: null },
    };
  }

  /** A step's time is up: the application ends EXPIRED. */
  expiry(waiting: WaitingStatus): Step {
    const { step, days } = WAITING_STEPS[waiting];
    const reason = `no ${step.replace(/_/g, ' ')} decision within ${days(this.policy!)} days`;
    return {
      step, decision: 'expired', actor: null, reason,
      status: 'EXPIRED', set: { endReason: reason, stepDeadline: null },
      audit: { action: `${step}.expire`, requestId: null },
    };
  }

  /** The disbursal hands the application to its loan (REPAYING from here on, as the loan goes). */
  disbursed(d: Disbursal, meta: DecisionMeta, loanId: string, at: string): void {
    this.bankId = meta.actor.orgId;
    this.state.loanId = loanId;
    this.state.status = 'REPAYING';
    this.state.stepDeadline = null;
    this.state.history.push({
      step: 'disbursal', decision: 'disbursed', by: meta.actor.username, role: meta.actor.role, at,
      reason: `contract ${d.contractNo}, bank reference ${d.bankReference}`, amount: d.amount,
    });
  }
}
