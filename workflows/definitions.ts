/**
 * Every update, query and signal of loanflow's workflows, with their argument and result types:
 * the one file both the workflows and the API client import.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApplicationStatus, RepaymentMethod, Role, TargetGroup } from '../domain/enums';
import type {
  CounterGuaranteeDecision,
  Disbursal,
  GuaranteeApproval,
  GuaranteeReview,
  Withdrawal,
} from '../domain/application-schemas';

export interface Actor {
  userId: string;
  username: string;
  role: Role;
  orgId: string | null;
}

/** Who asked, and the HTTP request that carried it: both go into the audit row. */
export interface DecisionMeta {
  actor: Actor;
  requestId: string;
}

export interface ApplicationInput {
  applicationId: string;
  applicantUserId: string;
  idNumber: string;
  name: string;
  phone: string;
  targetGroup: TargetGroup;
  certificateNo: string;
  communityId: string;
  bankId: string | null;
  requestedAmount: string;
  termMonths: number;
  repaymentMethod: RepaymentMethod;
  businessPlan: string;
  /** Business date of submission: picks the policy version the application keeps. */
  submittedOn: string;
  meta: DecisionMeta;
}

export interface HistoryItem {
  step: string;
  decision: string;
  by: string | null;
  role: string | null;
  at: string;
  reason: string | null;
  amount?: string | null;
}

export interface ApplicationState {
  id: string;
  status: ApplicationStatus;
  requestedAmount: string;
  recommendedAmount: string | null;
  approvedAmount: string | null;
  loanId: string | null;
  stepDeadline: string | null;
  endReason: string | null;
  history: HistoryItem[];
}

export type IntakeResult =
  | { outcome: 'accepted' | 'rejected'; state: ApplicationState; violations: Array<{ path: string; rule: string; message: string }> }
  | { outcome: 'conflict'; message: string };

/** Resolves once the certificate and eligibility checks have run; the API answers POST with it. */
export const intakeUpdate = defineUpdate<IntakeResult>('intake');
export const counterGuaranteeUpdate = defineUpdate<ApplicationState, [CounterGuaranteeDecision, DecisionMeta]>('counterGuarantee');
export const guaranteeReviewUpdate = defineUpdate<ApplicationState, [GuaranteeReview, DecisionMeta]>('guaranteeReview');
export const guaranteeApprovalUpdate = defineUpdate<ApplicationState, [GuaranteeApproval, DecisionMeta]>('guaranteeApproval');
export const disbursalUpdate = defineUpdate<ApplicationState, [Disbursal, DecisionMeta]>('disbursal');
export const withdrawalUpdate = defineUpdate<ApplicationState, [Withdrawal, DecisionMeta]>('withdrawal');
export const applicationStateQuery = defineQuery<ApplicationState>('applicationState');

/** Failure types a validator or activity reports; the API maps each to its HTTP status. */
export const failureTypes = {
  invalidState: 'INVALID_STATE',
  forbidden: 'FORBIDDEN',
  validation: 'VALIDATION_FAILED',
  conflict: 'CONFLICT',
  unprocessable: 'UNPROCESSABLE',
} as const;

export function applicationWorkflowId(applicationId: string): string {
  return `application-${applicationId}`;
}

export function loanWorkflowId(loanId: string): string {
  return `loan-${loanId}`;
}
