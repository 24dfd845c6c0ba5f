import type { UpdateDefinition } from '@temporalio/common';
import { type ChildWorkflowHandle, ParentClosePolicy, log, patched, proxyLocalActivities, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ApplicationActivities, IntakeOutcome } from '../../activities/applications';
import { businessDateOf } from '../../domain/business-day';
import { applicationStateQuery, counterGuaranteeUpdate, disbursalUpdate, guaranteeApprovalUpdate, guaranteeReviewUpdate, intakeUpdate, withdrawalUpdate } from '../definitions';
import { followUpWorkflowId, loanWorkflowId, type ApplicationState, type DecisionMeta, type LoanInput } from '../definitions';
import { DEFAULT_FOLLOW_UP_MONTHS, DEFAULT_FOLLOW_UP_VISIT_DAYS } from '../../domain/follow-up';
import { followUp } from '../follow-up';
import { initialPeriods, loan } from '../loan';
import { LOCAL_ACTIVITY_OPTIONS, Turns, answerWhenReady, finalRefusal } from '../common';
import type { ApplicationMachine, Step } from './state';

// Each step is one short transaction, idempotent by its key: a local activity (workflows/common.ts).
export const acts = proxyLocalActivities<ApplicationActivities>(LOCAL_ACTIVITY_OPTIONS);

export const now = () => new Date().toISOString();
export const today = () => businessDateOf(Date.now());

/**
 * One run of the application workflow: its machine, the turns its decisions take, and how a step
 * is recorded. The update handlers and the workflow's own steps (intake, reminders, expiry) share it.
 */
export class ApplicationRun {
  /** A decision, a reminder or the expiry at a time, in arrival order (workflows/common.ts). */
  readonly turns = new Turns();
  /** The loan's workflow, once the disbursal has asked for it (the disbursal waits for its start). */
  loanRun: Promise<ChildWorkflowHandle<typeof loan>> | undefined;
  /** The follow-up visits' workflow, started beside the loan's, likewise not waited for. */
  followUpRun: Promise<ChildWorkflowHandle<typeof followUp>> | undefined;
  private seq = 0;
  private readonly wfId = workflowInfo().workflowId;

  constructor(readonly m: ApplicationMachine) {}

  /**
   * The intake: registers the application, checks it and records the outcome, in one transaction
   * (keys :0:submitted and :1:intake_check), and mirrors what it recorded in memory.
   */
  async intake(): Promise<IntakeOutcome> {
    const { m } = this;
    this.seq = 1;
    const out = await acts.intake({ ...m.input, key: `${this.wfId}:0:submitted`, checkKey: `${this.wfId}:1:intake_check`, nowMs: Date.now() });
    if (!out.ok) return out;
    m.policy = out.policy;
    m.guaranteeCompanyId = out.guaranteeCompanyId;
    const { actor } = m.input.meta;
    m.state.history.push({ step: 'submission', decision: 'submitted', by: actor.username, role: actor.role, at: out.submittedAt, reason: null });
    m.apply(out.step, out.checkedAt, today());
    return out;
  }

  /** Writes one step (read model + history + audit, one transaction) and mirrors it in memory. */
  async record(r: Step): Promise<void> {
    this.seq += 1;
    const at = now();
    await acts.recordStep({ ...r, key: `${this.wfId}:${this.seq}:${r.step}`, applicationId: this.m.input.applicationId, at });
    this.m.apply(r, at, today());
  }

  /**
   * A step an activity refused for good (bad data): recorded in the state, and the application stays
   * where it was, so the next decision or the deadline can still come.
   */
  incident(step: string, e: unknown): void {
    const r = finalRefusal(e);
    if (!r) return;
    this.m.state.incidents.push({ step, at: now(), type: r.type ?? 'UNPROCESSABLE', message: r.message });
    log.warn('step refused for good; the application stays decidable', { step, type: r.type, message: r.message });
  }

  /** Takes the decision's turn, validates it again against the state it finds, and records it. */
  decide(step: string, validate: () => void, body: () => Promise<void>): Promise<ApplicationState> {
    return this.turns.take(async () => {
      validate();
      try {
        await body();
      } catch (e) {
        this.incident(step, e);
        throw e;
      }
      return this.m.state;
    });
  }

  /** A step of the workflow's own (reminder, expiry): a final refusal is recorded, not fatal. */
  async systemStep(step: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      if (!finalRefusal(e)) throw e;
      this.incident(step, e);
    }
  }

  /** The bank's disbursal: the loan's records, then its own workflow, which the application follows. */
  async disburse(d: Parameters<ApplicationMachine['checkDisbursal']>[0], meta: Parameters<ApplicationMachine['checkDisbursal']>[1]): Promise<void> {
    const { input, policy } = this.m;
    const loanId = uuid4();
    this.seq += 1;
    const at = now();
    const loanInput: LoanInput = {
      loanId,
      applicationId: input.applicationId,
      bankId: meta.actor.orgId!,
      guaranteeCompanyId: this.m.guaranteeCompanyId!,
      borrowerIdNumber: input.idNumber,
      terms: {
        repaymentMethod: input.repaymentMethod,
        principal: d.amount,
        annualRate: d.annualRate,
        disbursedOn: d.disbursedOn,
        termMonths: input.termMonths,
        policy: policy!,
      },
      policy: policy!,
    };
    await acts.recordDisbursal({
      key: `${this.wfId}:${this.seq}:disbursal`,
      applicationId: input.applicationId,
      loanId,
      bankId: meta.actor.orgId!,
      at,
      disbursal: d,
      termMonths: input.termMonths,
      repaymentMethod: input.repaymentMethod,
      actor: meta.actor,
      requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
      periods: initialPeriods(loanInput),
      recordedOn: today(),
    });
    this.loanRun = startChild(loan, {
      workflowId: loanWorkflowId(loanId),
      args: [loanInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    // The bank's next step (a repayment) goes to the loan's workflow, so the disbursal answers once
    // that workflow exists; histories from before this rule replay without waiting.
    if (patched('disbursal-awaits-loan-start')) await this.loanRun;
    // Added after applications were already running: a history recorded before it replays without
    // the marker and starts no follow-up (docs/programmes.md "Follow-up of businesses").
    if (patched('follow-up-visits')) {
      this.followUpRun = startChild(followUp, {
        workflowId: followUpWorkflowId(loanId),
        args: [{
          loanId,
          applicationId: input.applicationId,
          communityId: input.communityId,
          guaranteeCompanyId: this.m.guaranteeCompanyId!,
          disbursedOn: d.disbursedOn,
          // A policy read before these parameters existed carries none: the defaults apply.
          followUpMonths: policy!.followUpMonths ?? [...DEFAULT_FOLLOW_UP_MONTHS],
          followUpVisitDays: policy!.followUpVisitDays ?? DEFAULT_FOLLOW_UP_VISIT_DAYS,
        }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    this.m.disbursed(d, meta, loanId, at);
  }
}

/**
 * The application's query and updates. Each update's validator refuses, at once and without any
 * side effect, a decision for the wrong step, organisation or person; its handler takes the
 * decision's turn, checks it again and records it.
 */
export function setApplicationHandlers(run: ApplicationRun): void {
  const { m } = run;
  setHandler(applicationStateQuery, () => m.state);
  answerWhenReady(intakeUpdate, () => m.intake);

  /** An officer's or the applicant's decision: its validator, then its turn, checked again, recorded. */
  function onDecision<D>(
    update: UpdateDefinition<ApplicationState, [D, DecisionMeta]>,
    step: string,
    check: (d: D, meta: DecisionMeta) => void,
    write: (d: D, meta: DecisionMeta) => Promise<void>,
  ): void {
    setHandler(update, (d, meta) => run.decide(step, () => check(d, meta), () => write(d, meta)), { validator: check });
  }

  onDecision(counterGuaranteeUpdate, 'counter_guarantee', (d, meta) => m.checkCounterGuarantee(d, meta), (d, meta) => run.record(m.counterGuarantee(d, meta, Date.now())));
  onDecision(guaranteeReviewUpdate, 'guarantee_review', (d, meta) => m.checkGuaranteeReview(d, meta), (d, meta) => run.record(m.guaranteeReview(d, meta, Date.now())));
  onDecision(guaranteeApprovalUpdate, 'guarantee_approval', (d, meta) => m.checkGuaranteeApproval(d, meta), (d, meta) => run.record(m.guaranteeApproval(d, meta, Date.now())));
  onDecision(disbursalUpdate, 'disbursal', (d, meta) => m.checkDisbursal(d, meta, today()), (d, meta) => run.disburse(d, meta));
  onDecision(withdrawalUpdate, 'withdrawal', (d, meta) => m.checkWithdrawal(d, meta), (d, meta) => run.record(m.withdrawal(d, meta)));
}
