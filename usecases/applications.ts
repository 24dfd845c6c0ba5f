import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Knex } from 'knex';
import { DomainError, isErrorCode } from '../domain/errors';
import { checkRequestLimits } from '../domain/eligibility';
import type {
  CounterGuaranteeDecision,
  Disbursal,
  GuaranteeApproval,
  GuaranteeReview,
  NewApplication,
  Withdrawal,
} from '../domain/application-schemas';
import { applicationHistory, findVisibleApplication, listApplications as listRows, type ApplicationRow } from '../db/repositories/applications';
import { loadPolicyInForce } from '../db/repositories/policies';
import {
  applicationWorkflowId,
  counterGuaranteeUpdate,
  disbursalUpdate,
  guaranteeApprovalUpdate,
  guaranteeReviewUpdate,
  intakeUpdate,
  withdrawalUpdate,
  type DecisionMeta,
  type IntakeResult,
} from '../workflows/definitions';
import { loanApplication } from '../workflows/application';
import { idOfRequest, metaOf, todayOf, visibleOr403, type Caller, type KeyUse, type RequestIds, type WorkflowDeps, type RecordsDeps } from './deps';
import { WorkflowClosedError, asking, decisionsVia } from './workflow-client';

function summary(a: ApplicationRow) {
  return {
    id: a.id,
    status: a.status,
    requestedAmount: a.requested_amount,
    recommendedAmount: a.recommended_amount,
    approvedAmount: a.approved_amount,
    loanId: a.loan_id,
    name: a.name,
    idNumber: a.id_number,
    targetGroup: a.target_group,
    certificateNo: a.certificate_no,
    communityId: a.community_id,
    guaranteeCompanyId: a.guarantee_company_id,
    bankId: a.bank_id,
    termMonths: a.term_months,
    repaymentMethod: a.repayment_method,
    counterGuaranteeType: a.counter_guarantee_type,
    policyId: a.policy_id,
    submittedOn: a.submitted_on,
    stepDeadline: a.step_deadline_at ? a.step_deadline_at.toISOString() : null,
    endReason: a.end_reason,
  };
}

export type ApplicationSummary = ReturnType<typeof summary>;

/** An application as the API shows it: its read model and its history. */
export async function applicationView(db: Knex, a: ApplicationRow) {
  const history = await applicationHistory(db, a.id);
  return {
    ...summary(a),
    history: history.map((h) => ({
      step: h.step as string,
      decision: h.decision as string,
      by: h.by_username as string | null,
      role: h.role as string | null,
      at: (h.at as Date).toISOString(),
      reason: h.reason as string | null,
      amount: h.amount as string | null,
    })),
  };
}

export type ApplicationView = Awaited<ReturnType<typeof applicationView>>;

/** 404 when there is no such application; 403 when it belongs to someone else's organisation. */
async function visibleApplication(db: Knex, id: string, caller: Caller): Promise<ApplicationRow> {
  const row = await findVisibleApplication(db, id, caller);
  return visibleOr403(db, 'applications', id, row, 'application', "is not one of yours or your organisation's");
}

async function applicationRow(db: Knex, id: string): Promise<ApplicationRow | undefined> {
  return db('applications').where({ id }).first();
}

export async function getApplication(deps: RecordsDeps, caller: Caller, id: string): Promise<ApplicationView> {
  return applicationView(deps.db, await visibleApplication(deps.db, id, caller));
}

export async function listApplications(deps: RecordsDeps, caller: Caller, f: { status?: string; q?: string; page: number; pageSize: number }) {
  const { rows, total } = await listRows(deps.db, caller, f);
  return { items: rows.map(summary), total };
}

const REFUSAL_CODES: readonly string[] = ['VALIDATION_FAILED', 'CONFLICT', 'INVALID_STATE', 'UNPROCESSABLE', 'FORBIDDEN'];
const refusalCode = (type: string) => (REFUSAL_CODES.includes(type) && isErrorCode(type) ? type : 'UNPROCESSABLE');

/**
 * Starts the application's workflow and runs its intake in one call (update-with-start: the
 * intake update reaches the workflow with its first task, which runs the intake as a local
 * activity and answers). A submission retried under the same Idempotency-Key (after a 5xx freed
 * the key) has the same application id: a workflow still open answers with its intake; one that
 * has closed (rejected, or refused at intake) is not started again, and the caller reads what it
 * recorded.
 */
async function startApplication(
  temporal: Client,
  taskQueue: string,
  args: Parameters<typeof loanApplication>[0],
): Promise<IntakeResult | { outcome: 'recorded' }> {
  const start = new WithStartWorkflowOperation(loanApplication, {
    taskQueue,
    workflowId: applicationWorkflowId(args.applicationId),
    args: [args],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  try {
    return await temporal.workflow.executeUpdateWithStart(intakeUpdate, { startWorkflowOperation: start });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    return { outcome: 'recorded' };
  }
}

const IN_PROGRESS = 'This person already has an application in progress; withdraw it or wait for its outcome';

/**
 * An applicant submits an application: the input is checked against the policy in force today,
 * then the workflow runs the certificate check and eligibility at once (its intake), and the
 * caller gets the application as it stands — waiting for the counter-guarantee, or rejected.
 */
export async function submitApplication(
  deps: WorkflowDeps,
  caller: Caller,
  body: NewApplication,
  request: RequestIds & { idempotency?: KeyUse | null },
): Promise<ApplicationView> {
  if (body.idNumber !== caller.idNumber) {
    throw new DomainError('FORBIDDEN', "idNumber must be your own account's ID number", [{ path: 'idNumber', message: 'is not the ID number of your account' }]);
  }
  const community = await deps.db('organisations').where({ id: body.communityId }).first();
  if (!community || community.type !== 'community') {
    throw new DomainError('VALIDATION_FAILED', 'communityId is not a credit community', [{ path: 'communityId', message: 'no such credit community' }]);
  }
  if (body.bankId) {
    const bank = await deps.db('organisations').where({ id: body.bankId }).first();
    if (!bank || bank.type !== 'bank') throw new DomainError('VALIDATION_FAILED', 'bankId is not a bank', [{ path: 'bankId', message: 'no such bank' }]);
  }
  const submittedOn = todayOf(deps);
  const policy = await loadPolicyInForce(deps.db, submittedOn);
  if (!policy) throw new DomainError('UNPROCESSABLE', `no policy version is in force on ${submittedOn}; an admin must add one`);
  const limits = checkRequestLimits(body, policy.params);
  if (limits.length) {
    throw new DomainError('VALIDATION_FAILED', `Invalid body: ${limits[0]!.path} ${limits[0]!.message}`, limits.map(({ path, message }) => ({ path, message })));
  }
  // A retry under the key finds its first attempt's workflow; a reused, expired key is a new submission.
  const applicationId = idOfRequest('application', caller.id, request.idempotency);
  const result = await startApplication(deps.temporal, deps.taskQueue, {
    ...body,
    bankId: body.bankId ?? null,
    applicationId,
    applicantUserId: caller.id,
    submittedOn,
    meta: metaOf(caller, request),
  });
  if (result.outcome === 'conflict') throw new DomainError('CONFLICT', result.message, [{ path: 'idNumber', message: result.message }]);
  if (result.outcome === 'failed') throw new DomainError(refusalCode(result.type), result.message, result.details);
  const row = await applicationRow(deps.db, applicationId);
  if (!row) throw new DomainError('CONFLICT', IN_PROGRESS, [{ path: 'idNumber', message: IN_PROGRESS }]);
  return applicationView(deps.db, row);
}

/** A decision for the application's workflow; answers with the application once it is recorded. */
async function decide(
  deps: WorkflowDeps,
  caller: Caller,
  id: string,
  request: RequestIds,
  send: (h: WorkflowHandle, meta: DecisionMeta) => Promise<unknown>,
): Promise<ApplicationView> {
  const row = await visibleApplication(deps.db, id, caller);
  const handle = deps.temporal.workflow.getHandle(applicationWorkflowId(row.id));
  try {
    await asking(() => send(handle, metaOf(caller, request)));
  } catch (e) {
    if (!(e instanceof WorkflowClosedError)) throw e;
    const status = (await applicationRow(deps.db, row.id))?.status;
    throw new DomainError('INVALID_STATE', `No decision is possible: the application is ${status ?? 'closed'}`);
  }
  return applicationView(deps.db, (await applicationRow(deps.db, row.id))!);
}

export type { DecisionRequest } from './workflow-client';

/** Each decision on an application: one update of its workflow, answered with the application. */
const decision = decisionsVia(decide);

export const withdrawApplication = decision(withdrawalUpdate);

export const decideCounterGuarantee = decision(counterGuaranteeUpdate);

export const reviewGuarantee = decision(guaranteeReviewUpdate);

export const approveGuarantee = decision(guaranteeApprovalUpdate);

export const disburseLoan = decision(disbursalUpdate);
