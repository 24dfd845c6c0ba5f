import {
  allHandlersFinished,
  type ChildWorkflowHandle,
  ParentClosePolicy,
  condition,
  log,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApplicationActivities, StepRecord, ViolationList } from '../activities/applications';
import type { ApplicationStatus } from '../domain/enums';
import type { CounterGuaranteeDecision, Disbursal, GuaranteeApproval, GuaranteeReview, Withdrawal } from '../domain/application-schemas';
import type { PolicyParams } from '../domain/policy';
import { checkApprovedAmount } from '../domain/eligibility';
import { businessDateOf } from '../domain/business-day';
import { addDays, compareDates } from '../domain/dates';
import { Money } from '../domain/money';
import {
  applicationStateQuery,
  counterGuaranteeUpdate,
  disbursalUpdate,
  failureTypes,
  guaranteeApprovalUpdate,
  guaranteeReviewUpdate,
  intakeUpdate,
  withdrawalUpdate,
  type Actor,
  type ApplicationInput,
  type ApplicationState,
  type DecisionMeta,
  type IntakeResult,
  type LoanInput,
  loanWorkflowId,
} from './definitions';
import { initialPeriods, loan } from './loan';
import { ACTIVITY_OPTIONS, Turns, fail, finalRefusal } from './common';

const acts = proxyActivities<ApplicationActivities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 3600 * 1000;

const WAITING_STEPS = {
  AWAITING_COUNTER_GUARANTEE: { step: 'counter_guarantee', days: (p: PolicyParams) => p.counterGuaranteeDays },
  AWAITING_GUARANTEE_REVIEW: { step: 'guarantee_review', days: (p: PolicyParams) => p.guaranteeDecisionDays },
  AWAITING_GUARANTEE_APPROVAL: { step: 'guarantee_approval', days: (p: PolicyParams) => p.guaranteeDecisionDays },
  AWAITING_DISBURSAL: { step: 'disbursal', days: (p: PolicyParams) => p.disbursalDays },
} as const;
type WaitingStatus = keyof typeof WAITING_STEPS;

const BEFORE_DISBURSAL: readonly ApplicationStatus[] = [
  'AWAITING_COUNTER_GUARANTEE',
  'AWAITING_GUARANTEE_REVIEW',
  'AWAITING_GUARANTEE_APPROVAL',
  'AWAITING_DISBURSAL',
];

function violationsAsDetails(v: ViolationList) {
  return v.map((x) => ({ path: x.path, message: x.message }));
}

/**
 * One guaranteed start-up loan application, from submission to disbursal (SPEC §1 steps 1–5).
 * Officers' decisions arrive as updates whose validators refuse, at once and without any
 * side effect, a decision for the wrong step, organisation or person.
 */
export async function loanApplication(input: ApplicationInput): Promise<ApplicationState> {
  const wfId = workflowInfo().workflowId;
  const state: ApplicationState = {
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
  let policy: PolicyParams | undefined;
  let guaranteeCompanyId: string | null = null;
  let bankId: string | null = input.bankId;
  let reviewedBy: string | null = null;
  let approvedOn: string | null = null;
  let intake: IntakeResult | undefined;
  // A decision, a reminder or the expiry at a time, in arrival order (workflows/common.ts).
  const turns = new Turns();
  let seq = 0;
  let loanRun: ChildWorkflowHandle<typeof loan> | undefined;

  /** Lets update handlers still answering (intake) finish before the workflow completes. */
  const finished = async () => {
    await condition(allHandlersFinished);
    return state;
  };
  const now = () => new Date().toISOString();
  const today = () => businessDateOf(Date.now());

  /** Writes one step (read model + history + audit, one transaction) and mirrors it in memory. */
  async function record(r: Omit<StepRecord, 'key' | 'applicationId' | 'at'>): Promise<void> {
    seq += 1;
    const at = now();
    await acts.recordStep({ ...r, key: `${wfId}:${seq}:${r.step}`, applicationId: input.applicationId, at });
    if (r.status) state.status = r.status;
    if (r.set?.step_deadline_at !== undefined) state.stepDeadline = r.set.step_deadline_at;
    if (r.set?.end_reason !== undefined) state.endReason = r.set.end_reason;
    state.history.push({
      step: r.step,
      decision: r.decision,
      by: r.actor?.username ?? null,
      role: r.actor?.role ?? null,
      at,
      reason: r.reason,
      ...(r.amount ? { amount: r.amount } : {}),
    });
  }

  /**
   * A step an activity refused for good (bad data): recorded in the state, and the application stays
   * where it was, so the next decision or the deadline can still come.
   */
  function incident(step: string, e: unknown): void {
    const r = finalRefusal(e);
    if (!r) return;
    state.incidents.push({ step, at: now(), type: r.type ?? 'UNPROCESSABLE', message: r.message });
    log.warn('step refused for good; the application stays decidable', { step, type: r.type, message: r.message });
  }

  /** Takes the decision's turn, validates it again against the state it finds, and records it. */
  function decide(step: string, validate: () => void, body: () => Promise<void>): Promise<ApplicationState> {
    return turns.take(async () => {
      validate();
      try {
        await body();
      } catch (e) {
        incident(step, e);
        throw e;
      }
      return state;
    });
  }

  /** A step of the workflow's own (reminder, expiry): a final refusal is recorded, not fatal. */
  async function systemStep(step: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      if (!finalRefusal(e)) throw e;
      incident(step, e);
    }
  }

  function requireStep(expected: ApplicationStatus, what: string) {
    if (intake === undefined) fail(failureTypes.invalidState, 'The application is still being checked; try again in a moment');
    if (state.status !== expected) {
      fail(failureTypes.invalidState, `${what} is not possible while the application is ${state.status}`);
    }
  }

  function requireOrg(actor: Actor, role: string, orgId: string | null, what: string) {
    if (actor.role !== role) fail(failureTypes.forbidden, `${what} needs the ${role} role`);
    if (!orgId || actor.orgId !== orgId) fail(failureTypes.forbidden, `${what} belongs to another organisation`);
  }

  function requireAmount(amount: string) {
    const v = checkApprovedAmount(amount, input.requestedAmount, policy!);
    if (v.length) fail(failureTypes.validation, v[0]!.message, violationsAsDetails(v));
  }

  const deadlineFor = (s: WaitingStatus) => new Date(Date.now() + WAITING_STEPS[s].days(policy!) * DAY_MS).toISOString();

  setHandler(applicationStateQuery, () => state);

  setHandler(intakeUpdate, async () => {
    await condition(() => intake !== undefined);
    return intake!;
  });

  const checkCounterGuarantee = (_d: CounterGuaranteeDecision, meta: DecisionMeta) => {
        requireStep('AWAITING_COUNTER_GUARANTEE', 'A counter-guarantee decision');
        requireOrg(meta.actor, 'community_officer', input.communityId, "This applicant's counter-guarantee");
  };
  setHandler(
    counterGuaranteeUpdate,
    (d, meta) =>
      decide('counter_guarantee', () => checkCounterGuarantee(d, meta), async () => {
        if (d.decision === 'approve') {
          await record({
            step: 'counter_guarantee', decision: 'approved', actor: meta.actor, reason: d.reason,
            status: 'AWAITING_GUARANTEE_REVIEW',
            set: { counter_guarantee_type: d.type, step_deadline_at: deadlineFor('AWAITING_GUARANTEE_REVIEW') },
            audit: { action: 'counter_guarantee.approve', requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, payload: d },
          });
        } else {
          await record({
            step: 'counter_guarantee', decision: 'rejected', actor: meta.actor, reason: d.reason,
            status: 'REJECTED', set: { counter_guarantee_type: d.type, end_reason: `counter-guarantee refused: ${d.reason}`, step_deadline_at: null },
            audit: { action: 'counter_guarantee.reject', requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, payload: d },
          });
        }
      }),
    { validator: checkCounterGuarantee },
  );

  const checkGuaranteeReview = (d: GuaranteeReview, meta: DecisionMeta) => {
        requireStep('AWAITING_GUARANTEE_REVIEW', 'A guarantee review');
        requireOrg(meta.actor, 'guarantee_reviewer', guaranteeCompanyId, 'This guarantee');
        if (d.recommendation === 'approve') requireAmount(d.amount!);
  };
  setHandler(
    guaranteeReviewUpdate,
    (d, meta) =>
      decide('guarantee_review', () => checkGuaranteeReview(d, meta), async () => {
        const approve = d.recommendation === 'approve';
        await record({
          step: 'guarantee_review', decision: approve ? 'recommended' : 'rejected', actor: meta.actor, reason: d.reason,
          amount: d.amount ?? null,
          status: approve ? 'AWAITING_GUARANTEE_APPROVAL' : 'REJECTED',
          set: approve
            ? { recommended_amount: d.amount!, reviewed_by: meta.actor.userId, step_deadline_at: deadlineFor('AWAITING_GUARANTEE_APPROVAL') }
            : { reviewed_by: meta.actor.userId, end_reason: `guarantee review rejected: ${d.reason}`, step_deadline_at: null },
          audit: { action: `guarantee_review.${d.recommendation}`, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, payload: d },
        });
        reviewedBy = meta.actor.userId;
        if (approve) state.recommendedAmount = d.amount!;
      }),
    { validator: checkGuaranteeReview },
  );

  const checkGuaranteeApproval = (d: GuaranteeApproval, meta: DecisionMeta) => {
        requireStep('AWAITING_GUARANTEE_APPROVAL', 'A guarantee approval');
        requireOrg(meta.actor, 'guarantee_approver', guaranteeCompanyId, 'This guarantee');
        // Maker–checker: whoever reviewed may not also approve.
        if (meta.actor.userId === reviewedBy) {
          fail(failureTypes.forbidden, 'The approver must be a different person from the reviewer (maker–checker)');
        }
        if (d.decision === 'approve') requireAmount(d.amount!);
  };
  setHandler(
    guaranteeApprovalUpdate,
    (d, meta) =>
      decide('guarantee_approval', () => checkGuaranteeApproval(d, meta), async () => {
        const approve = d.decision === 'approve';
        await record({
          step: 'guarantee_approval', decision: approve ? 'approved' : 'rejected', actor: meta.actor, reason: d.reason,
          amount: d.amount ?? null,
          status: approve ? 'AWAITING_DISBURSAL' : 'REJECTED',
          set: approve
            ? { approved_amount: d.amount!, step_deadline_at: deadlineFor('AWAITING_DISBURSAL') }
            : { end_reason: `guarantee approval rejected: ${d.reason}`, step_deadline_at: null },
          audit: { action: `guarantee_approval.${d.decision}`, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, payload: d },
        });
        if (approve) {
          state.approvedAmount = d.amount!;
          approvedOn = today();
        }
      }),
    { validator: checkGuaranteeApproval },
  );

  const checkDisbursal = (d: Disbursal, meta: DecisionMeta) => {
        requireStep('AWAITING_DISBURSAL', 'A disbursal');
        if (meta.actor.role !== 'bank_officer') fail(failureTypes.forbidden, 'A disbursal needs the bank_officer role');
        if (bankId !== null && meta.actor.orgId !== bankId) fail(failureTypes.forbidden, 'This application is assigned to another bank');
        const details: Array<{ path: string; message: string }> = [];
        if (new Money(d.amount).greaterThan(state.approvedAmount!)) {
          details.push({ path: 'amount', message: `must not exceed the approved guarantee of ${state.approvedAmount}` });
        }
        if (new Money(d.annualRate).greaterThan(policy!.rateCap)) {
          details.push({ path: 'annualRate', message: `must not exceed the policy's rate cap of ${policy!.rateCap}` });
        }
        const t = today();
        if (compareDates(d.disbursedOn, t) > 0) details.push({ path: 'disbursedOn', message: `must not be in the future (today is ${t})` });
        const earliest = addDays(t, -policy!.backdatingWindowDays);
        if (compareDates(d.disbursedOn, earliest) < 0) {
          details.push({ path: 'disbursedOn', message: `must be within the back-dating window of ${policy!.backdatingWindowDays} days (on or after ${earliest})` });
        } else if (approvedOn && compareDates(d.disbursedOn, approvedOn) < 0) {
          details.push({ path: 'disbursedOn', message: `must not be before the guarantee approval on ${approvedOn}` });
        }
        if (details.length) fail(failureTypes.validation, `Invalid disbursal: ${details[0]!.path} ${details[0]!.message}`, details);
  };
  setHandler(
    disbursalUpdate,
    (d, meta) =>
      decide('disbursal', () => checkDisbursal(d, meta), async () => {
        const loanId = uuid4();
        seq += 1;
        const at = now();
        const loanInput: LoanInput = {
          loanId,
          applicationId: input.applicationId,
          bankId: meta.actor.orgId!,
          guaranteeCompanyId: guaranteeCompanyId!,
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
          key: `${wfId}:${seq}:disbursal`,
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
        loanRun = await startChild(loan, {
          workflowId: loanWorkflowId(loanId),
          args: [loanInput],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        bankId = meta.actor.orgId;
        state.loanId = loanId;
        state.status = 'REPAYING';
        state.stepDeadline = null;
        state.history.push({
          step: 'disbursal', decision: 'disbursed', by: meta.actor.username, role: meta.actor.role, at,
          reason: `contract ${d.contractNo}, bank reference ${d.bankReference}`, amount: d.amount,
        });
      }),
    { validator: checkDisbursal },
  );

  const checkWithdrawal = (_d: Withdrawal, meta: DecisionMeta) => {
        if (meta.actor.userId !== input.applicantUserId) fail(failureTypes.forbidden, 'Only the applicant may withdraw the application');
        if (intake === undefined) fail(failureTypes.invalidState, 'The application is still being checked; try again in a moment');
        if (!BEFORE_DISBURSAL.includes(state.status)) {
          fail(failureTypes.invalidState, `An application that is ${state.status} can no longer be withdrawn`);
        }
  };
  setHandler(
    withdrawalUpdate,
    (d, meta) =>
      decide('withdrawal', () => checkWithdrawal(d, meta), async () => {
        await record({
          step: 'withdrawal', decision: 'withdrawn', actor: meta.actor, reason: d.reason || null,
          status: 'WITHDRAWN', set: { end_reason: d.reason ? `withdrawn by the applicant: ${d.reason}` : 'withdrawn by the applicant', step_deadline_at: null },
          audit: { action: 'application.withdraw', requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, payload: d },
        });
      }),
    { validator: checkWithdrawal },
  );

  // --- Intake: register, check the certificate and eligibility (SPEC §1 steps 1–2) ---
  try {
    const reg = await acts.registerApplication({ ...input, key: `${wfId}:0:submitted` });
    if (!reg.ok) {
      intake = { outcome: 'conflict', message: reg.message };
      return finished();
    }
    policy = reg.policy;
    guaranteeCompanyId = reg.guaranteeCompanyId;
    state.history.push({ step: 'submission', decision: 'submitted', by: input.meta.actor.username, role: input.meta.actor.role, at: reg.submittedAt, reason: null });

    const violations = await acts.checkIntake({ applicationId: input.applicationId });
    if (violations.length) {
      await record({
        step: 'intake_check', decision: 'rejected', actor: null,
        reason: violations.map((v) => v.message).join('; '),
        status: 'REJECTED', set: { end_reason: violations.map((v) => v.message).join('; ') },
        audit: { action: 'application.intake_reject', requestId: input.meta.requestId, clientRequestId: input.meta.clientRequestId ?? null, payload: { violations } },
      });
      intake = { outcome: 'rejected', state, violations };
      return finished();
    }
    await record({
      step: 'intake_check', decision: 'passed', actor: null, reason: 'certificate valid; eligible',
      status: 'AWAITING_COUNTER_GUARANTEE', set: { step_deadline_at: deadlineFor('AWAITING_COUNTER_GUARANTEE') },
      audit: { action: 'application.intake_pass', requestId: input.meta.requestId, clientRequestId: input.meta.clientRequestId ?? null },
    });
  } catch (e) {
    // Refused for good (bad data, no policy in force): the submitter hears why, and nothing waits.
    const r = finalRefusal(e);
    if (!r) throw e;
    incident('intake', e);
    const raw = r.details?.[0];
    intake = { outcome: 'failed', type: r.type ?? 'UNPROCESSABLE', message: r.message, details: Array.isArray(raw) ? raw : [] };
    return finished();
  }
  intake = { outcome: 'accepted', state, violations: [] };

  // --- Officers' steps, each with a deadline: reminder at half time, EXPIRED at the end ---
  while (state.status in WAITING_STEPS) {
    const waiting = state.status as WaitingStatus;
    const { step, days } = WAITING_STEPS[waiting];
    const totalMs = days(policy) * DAY_MS;
    const deadline = Date.parse(state.stepDeadline ?? deadlineFor(waiting));
    let reminded = false;
    while (state.status === waiting) {
      const until = reminded ? deadline : deadline - totalMs / 2;
      const left = until - Date.now();
      const moved = left > 0 ? await condition(() => state.status !== waiting || !turns.idle, left) : !turns.idle;
      if (moved) {
        await condition(() => turns.idle);
        continue;
      }
      // The reminder and the expiry take their turn like a decision: one arriving meanwhile waits,
      // then finds the application EXPIRED.
      if (!reminded) {
        reminded = true;
        await turns.take(() =>
          systemStep(`${step}_reminder`, () =>
            record({
              step: `${step}_reminder`, decision: 'reminded', actor: null,
              reason: `half of the ${days(policy!)}-day deadline has passed; decision due by ${state.stepDeadline}`,
              audit: { action: `${step}.reminder`, requestId: null },
            }),
          ),
        );
        continue;
      }
      const reason = `no ${step.replace(/_/g, ' ')} decision within ${days(policy)} days`;
      await turns.take(async () => {
        state.status = 'EXPIRED';
        await systemStep(step, () =>
          record({
            step, decision: 'expired', actor: null, reason,
            status: 'EXPIRED', set: { end_reason: reason, step_deadline_at: null },
            audit: { action: `${step}.expire`, requestId: null },
          }),
        );
      });
    }
  }
  // After disbursal the application follows its loan (REPAYING → REPAID / DEFAULTED; the loan's
  // activities keep the read model in step). Waiting costs no history; ABANDON means the loan
  // outlives this workflow should it ever be terminated. (A parent that stays open also receives
  // its child's completion, which the time-skipping test server mishandles for closed parents.)
  if (loanRun) {
    try {
      state.status = (await loanRun.result()).status;
    } catch {
      // A loan terminated by an operator leaves the read model as the loan last wrote it.
    }
  }
  return finished();
}
