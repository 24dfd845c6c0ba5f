/**
 * Every update, query and signal of loanflow's workflows, with their argument and result types:
 * the one file both the workflows and the API client import.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PolicyParams } from '../domain/policy';
import type { LoanPeriod, LoanTerms } from '../domain/repayment';
import type { Loss, LossSplit } from '../domain/default';
import type { ClaimDecision, ExtensionBody, RecoveryBody, RepaymentBody } from '../domain/loan-schemas';
import type { FollowUpVisitBody } from '../domain/follow-up';
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
  /** The caller's own X-Request-Id (sanitised), kept beside ours in the audit row. */
  clientRequestId?: string | null;
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
  /** Steps refused for good (bad data): the application stayed where it was. */
  incidents: Array<{ step: string; at: string; type: string; message: string }>;
}

export type IntakeResult =
  | { outcome: 'accepted' | 'rejected'; state: ApplicationState; violations: Array<{ path: string; rule: string; message: string }> }
  | { outcome: 'conflict'; message: string }
  /** Refused for good by an activity (bad data, no policy in force): nothing waits. */
  | { outcome: 'failed'; type: string; message: string; details: Array<{ path: string; message: string }> };

/** Resolves once the certificate and eligibility checks have run; the API answers POST with it. */
export const intakeUpdate = defineUpdate<IntakeResult>('intake');
export const counterGuaranteeUpdate = defineUpdate<ApplicationState, [CounterGuaranteeDecision, DecisionMeta]>('counterGuarantee');
export const guaranteeReviewUpdate = defineUpdate<ApplicationState, [GuaranteeReview, DecisionMeta]>('guaranteeReview');
export const guaranteeApprovalUpdate = defineUpdate<ApplicationState, [GuaranteeApproval, DecisionMeta]>('guaranteeApproval');
export const disbursalUpdate = defineUpdate<ApplicationState, [Disbursal, DecisionMeta]>('disbursal');
export const withdrawalUpdate = defineUpdate<ApplicationState, [Withdrawal, DecisionMeta]>('withdrawal');
export const applicationStateQuery = defineQuery<ApplicationState>('applicationState');

/**
 * Failure types a validator or activity reports: the error codes of domain/errors.ts, and
 * `NOT_CURRENT` (an INVALID_STATE) for a decision naming a claim that is no longer the workflow's,
 * which the caller reports as what became of that claim (usecases/workflow-client.ts).
 */
export const failureTypes = {
  invalidState: 'INVALID_STATE',
  forbidden: 'FORBIDDEN',
  validation: 'VALIDATION_FAILED',
  conflict: 'CONFLICT',
  unprocessable: 'UNPROCESSABLE',
  notCurrent: 'NOT_CURRENT',
} as const;

export function applicationWorkflowId(applicationId: string): string {
  return `application-${applicationId}`;
}

export function loanWorkflowId(loanId: string): string {
  return `loan-${loanId}`;
}

// ---- Loans ----------------------------------------------------------------------------

export type LoanStatus = 'REPAYING' | 'REPAID' | 'DEFAULTED';

export interface LoanInput {
  loanId: string;
  applicationId: string;
  bankId: string;
  guaranteeCompanyId: string;
  borrowerIdNumber: string;
  terms: LoanTerms;
  /** The policy version the application was submitted under: the loan keeps it to the end. */
  policy: PolicyParams;
  /** Set when a run continues as new: where the previous run left off. */
  carried?: LoanState;
}

export interface LoanDefault {
  on: string;
  /** The period whose overdue days passed the threshold. */
  period: number;
  loss: Loss;
  split: LossSplit;
  recovered: string;
}

export interface LoanState {
  loanId: string;
  status: LoanStatus;
  periods: LoanPeriod[];
  extendedMonths: number;
  bankReferences: string[];
  recoveryReferences: string[];
  defaulted: LoanDefault | null;
  endedOn: string | null;
  /** Step counter behind every idempotency key; carried across runs so keys never repeat. */
  seq: number;
  /** How many runs this loan's history has been split into (continue-as-new). */
  run: number;
  /** Checkpoints refused for good (bad data); absent in runs started before it existed. */
  incidents?: Array<{ step: string; at: string; type: string; message: string }>;
}

export const repaymentUpdate = defineUpdate<LoanState, [RepaymentBody, DecisionMeta]>('repayment');
export const extensionUpdate = defineUpdate<LoanState, [ExtensionBody, DecisionMeta]>('extension');
export const recoveryUpdate = defineUpdate<LoanState, [RecoveryBody, DecisionMeta]>('recovery');
export const loanStateQuery = defineQuery<LoanState>('loanState');

// ---- Subsidy claims ------------------------------------------------------------------

export type ClaimStatus = 'SUBMITTED' | 'CHECKED' | 'PENDING_BUDGET' | 'PAID' | 'PAYOUT_REVERSED' | 'REJECTED';

export interface ClaimInput {
  claimId: string;
  bankId: string;
  quarter: string;
  meta: DecisionMeta;
}


export interface ClaimState {
  id: string;
  bankId: string;
  quarter: string;
  status: ClaimStatus | 'REFUSED';
  late: boolean;
  /**
   * How many lines the claim holds; the lines themselves stay in the database (the API reads them):
   * a large bank's quarter has hundreds of thousands, far beyond what a workflow's payload may carry.
   */
  lineCount: number;
  total: string;
  checkedBy: string | null;
  /** Why the claim waits or was refused or rejected. */
  note: string | null;
}

/** The outcome of filing: the API answers POST /v1/subsidy-claims with it. */
export type FilingResult = FilingOutcome<ClaimState>;

/** A claim filed, or the refusal (its code, message and fields) the API answers with. */
export type FilingOutcome<C> =
  | { outcome: 'filed'; claim: C }
  | { outcome: 'refused'; type: string; message: string; details: Array<{ path: string; message: string }> };

export const filingUpdate = defineUpdate<FilingResult>('filing');
/**
 * A decision names its claim: the workflow id is per bank and quarter, and after a rejection a
 * refiled claim runs under the same id, so a decision meant for the old claim must not reach the new.
 */
export interface ClaimDecisionMeta extends DecisionMeta {
  claimId: string;
}
export const claimCheckUpdate = defineUpdate<ClaimState, [ClaimDecision, ClaimDecisionMeta]>('claimCheck');
export const claimApprovalUpdate = defineUpdate<ClaimState, [ClaimDecision, ClaimDecisionMeta]>('claimApproval');
/** Tries the payout of a claim waiting for budget again, and says at once whether it went through. */
export const claimPaymentRetryUpdate = defineUpdate<ClaimState, [ClaimDecisionMeta]>('claimPaymentRetry');
export const claimStateQuery = defineQuery<ClaimState>('claimState');

export function subsidyClaimWorkflowId(bankId: string, quarter: string): string {
  return `subsidy-claim-${bankId}-${quarter}`;
}

// ---- Follow-up of businesses ----------------------------------------------------------

export interface FollowUpInput {
  loanId: string;
  applicationId: string;
  /** Who may record the visits: this community's officers and the guarantee company's. */
  communityId: string;
  guaranteeCompanyId: string;
  disbursedOn: string;
  /** From the policy version the loan keeps. */
  followUpMonths: number[];
  followUpVisitDays: number;
}

export interface FollowUpVisitState {
  months: number;
  dueOn: string;
  overdueOn: string;
  reminded: boolean;
  overdueMarked: boolean;
  recorded: { visitedOn: string; operatingStatus: string; employees: number; businessRegistrationNo: string | null; late: boolean } | null;
}

export interface FollowUpState {
  loanId: string;
  visits: FollowUpVisitState[];
}

export const followUpVisitUpdate = defineUpdate<FollowUpState, [FollowUpVisitBody, DecisionMeta]>('followUpVisit');
export const followUpStateQuery = defineQuery<FollowUpState>('followUpState');

export function followUpWorkflowId(loanId: string): string {
  return `follow-up-${loanId}`;
}

// ---- Programme claims: training subsidy, incubator rewards (docs/programmes.md) ---------------

export type ProgrammeClaimProgramme = 'training_subsidy' | 'incubator_rewards';
export type ProgrammeClaimStatus = 'FILED' | 'CHECKED' | 'PENDING_BUDGET' | 'PAID' | 'REFUSED' | 'REJECTED';

/** What the institution (training) or the finance officer (a reward) files. */
export type TrainingFiling =
  | { part: 'base'; course: 'SYB' | 'GYB' | 'IYB'; classRef: string; enrolled: number; trainees: Array<{ certificateNo: string; idNumber: string; name: string }> }
  | { part: 'outcome'; baseClaimId: string };
export interface RewardFiling {
  enterpriseId: string;
  kind: 'high_tech' | 'listing' | 'neeq_transfer';
  exchange: 'regional' | 'neeq' | null;
  documentNo: string;
  eventOn: string;
}

export interface ProgrammeClaimInput {
  programme: ProgrammeClaimProgramme;
  claimId: string;
  filing: { programme: 'training_subsidy'; training: TrainingFiling } | { programme: 'incubator_rewards'; reward: RewardFiling };
  meta: DecisionMeta;
}

/** What the workflow knows of its claim; the activities answer with it, read from the database. */
export interface ProgrammeClaimState {
  id: string;
  programme: ProgrammeClaimProgramme;
  status: ProgrammeClaimStatus;
  amount: string;
  /** Trainees whose certificate does not match the registry (training base claims); else 0. */
  mismatches: number;
  /** Trainees still on the claim (training claims; absent from states recorded before it was kept). */
  trainees?: number;
  checkedBy: string | null;
  /** Why the claim waits, or was refused or rejected. */
  note: string | null;
  /**
   * A refused filing's refusal as its first attempt answered it (code, message, fields): a retry
   * of that filing finds the workflow ended and answers the same. Absent unless refused.
   */
  refusal?: { type: string; message: string; details: Array<{ path: string; message: string }> };
}

export type ProgrammeFilingResult = FilingOutcome<ProgrammeClaimState>;

export interface ProgrammeCheck {
  /** accept: as filed; adjust: without the trainees who do not match their certificates; refuse. */
  decision: 'accept' | 'adjust' | 'refuse';
  reason?: string;
}
export interface ProgrammeApproval {
  decision: 'approve' | 'reject';
  reason?: string;
}

export const programmeFilingUpdate = defineUpdate<ProgrammeFilingResult>('programmeFiling');
export const programmeCheckUpdate = defineUpdate<ProgrammeClaimState, [ProgrammeCheck, DecisionMeta]>('programmeCheck');
export const programmeApprovalUpdate = defineUpdate<ProgrammeClaimState, [ProgrammeApproval, DecisionMeta]>('programmeApproval');
export const programmeClaimStateQuery = defineQuery<ProgrammeClaimState>('programmeClaimState');

/**
 * Who checks a claim (docs/programmes.md): a training claim is the labour bureau's officer's, an
 * incubator reward the finance officer's. A training claim whose workflow began before the labour
 * officer existed (no 'labour-officer-check' patch in its history) keeps the finance officer.
 */
export type ProgrammeCheckerRole = 'labour_officer' | 'finance_officer';
export const LABOUR_CHECK_PATCH = 'labour-officer-check';
export function programmeCheckerRole(programme: ProgrammeClaimProgramme, labourChecks: boolean): ProgrammeCheckerRole {
  return programme === 'training_subsidy' && labourChecks ? 'labour_officer' : 'finance_officer';
}

/** One workflow per claim (a claim refused or rejected is filed again as a new claim). */
export function programmeClaimWorkflowId(programme: ProgrammeClaimProgramme, claimId: string): string {
  return `${programme === 'training_subsidy' ? 'training-claim' : 'incubator-reward'}-${claimId}`;
}
