import type { ApplicationStatus } from '../../domain/enums';
import type { PolicyParams } from '../../domain/policy';
import type { Actor, DecisionMeta } from '../definitions';

/**
 * What the workflow and its activities share: a step's record, the deadlines of the steps that
 * wait for an officer, and the intake's outcome as a step. The intake activity records that step
 * in the transaction that registers the application (usecases/application-steps.ts), so it builds
 * it here, from the same pure code the workflow mirrors. Pure: no Temporal calls, no I/O.
 */

export type ViolationList = Array<{ path: string; rule: string; message: string }>;

/** One step of an application: the read-model change, its history row and its audit row. */
export interface StepRecord {
  /** workflowId:seq:step — a retried activity finds it and writes nothing twice. */
  key: string;
  applicationId: string;
  step: string;
  decision: string;
  at: string;
  actor: Actor | null;
  reason: string | null;
  amount?: string | null;
  status?: ApplicationStatus;
  set?: StepChanges;
  audit?: { action: string; requestId: string | null; clientRequestId?: string | null; payload?: unknown };
}

/** What a step changes on the application, in the workflow's words; the steps map them to columns. */
export interface StepChanges {
  counterGuaranteeType?: string;
  recommendedAmount?: string;
  /** The reviewer's user id (the approver must be someone else). */
  reviewedBy?: string;
  approvedAmount?: string;
  endReason?: string;
  /** When the step now waiting must be decided by; null once nothing waits. */
  stepDeadline?: string | null;
}

const DAY_MS = 24 * 3600 * 1000;

/** The steps that wait for an officer, each with its deadline in days of the application's policy. */
export const WAITING_STEPS = {
  AWAITING_COUNTER_GUARANTEE: { step: 'counter_guarantee', days: (p: PolicyParams) => p.counterGuaranteeDays },
  AWAITING_GUARANTEE_REVIEW: { step: 'guarantee_review', days: (p: PolicyParams) => p.guaranteeDecisionDays },
  AWAITING_GUARANTEE_APPROVAL: { step: 'guarantee_approval', days: (p: PolicyParams) => p.guaranteeDecisionDays },
  AWAITING_DISBURSAL: { step: 'disbursal', days: (p: PolicyParams) => p.disbursalDays },
} as const;
export type WaitingStatus = keyof typeof WAITING_STEPS;

/** A step as the machine decides it; the handlers add its key, application and time. */
export type Step = Omit<StepRecord, 'key' | 'applicationId' | 'at'>;

/** When a step entered at `nowMs` must be decided by. */
export function deadlineOf(policy: PolicyParams, s: WaitingStatus, nowMs: number): string {
  return new Date(nowMs + WAITING_STEPS[s].days(policy) * DAY_MS).toISOString();
}

export const auditOf = (action: string, meta: DecisionMeta, payload?: unknown) => ({
  action,
  requestId: meta.requestId,
  clientRequestId: meta.clientRequestId ?? null,
  ...(payload === undefined ? {} : { payload }),
});

/**
 * The intake check's step: passed, the application waits for its counter-guarantee (the deadline
 * counted from `nowMs`, the workflow's time); else REJECTED with every violation.
 */
export function intakeStep(meta: DecisionMeta, policy: PolicyParams, violations: ViolationList, nowMs: number): Step {
  if (violations.length) {
    const why = violations.map((v) => v.message).join('; ');
    return {
      step: 'intake_check', decision: 'rejected', actor: null, reason: why,
      status: 'REJECTED', set: { endReason: why },
      audit: auditOf('application.intake_reject', meta, { violations }),
    };
  }
  return {
    step: 'intake_check', decision: 'passed', actor: null, reason: 'certificate valid; eligible',
    status: 'AWAITING_COUNTER_GUARANTEE', set: { stepDeadline: deadlineOf(policy, 'AWAITING_COUNTER_GUARANTEE', nowMs) },
    audit: auditOf('application.intake_pass', meta),
  };
}
