import type { Knex } from 'knex';
import type { WorkflowHandle } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DomainError } from '../domain/errors';
import type { ClaimDecision } from '../domain/loan-schemas';
import { claimBasics, claimLines, scopeClaims, type ClaimRow, type LinesPage } from '../db/repositories/subsidy';
import { usernamesOf } from '../db/repositories/users';
import {
  claimApprovalUpdate,
  claimCheckUpdate,
  claimPaymentRetryUpdate,
  claimStateQuery,
  failureTypes,
  filingUpdate,
  subsidyClaimWorkflowId,
  type ClaimDecisionMeta,
  type ClaimStatus,
  type DecisionMeta,
  type FilingResult,
} from '../workflows/definitions';
import { subsidyClaim } from '../workflows/subsidy-claim';
import { auditedSince } from '../db/repositories/audit';
import { answeringOwnRetry, idOfRequest, metaOf, refusedAs, todayOf, visibleOr403, type Caller, type KeyedRequest, type KeyUse, type RecordsDeps, type RequestIds, type WorkflowDeps } from './deps';
import { WorkflowClosedError, WorkflowRefusal, asking, fileWithStart } from './workflow-client';
import { payClaimAgain } from './mismatches';
import type { DecisionRequest } from './applications';

/**
 * How many of a claim's lines one answer carries unless asked otherwise: a bank's quarter can hold
 * hundreds of thousands (docs/ledger.md, "Subsidy claims").
 */
export const CLAIM_LINES_PAGE_SIZE = 500;
export const CLAIM_LINES_MAX_PAGE_SIZE = 2000;
const FIRST_LINES: LinesPage = { page: 1, pageSize: CLAIM_LINES_PAGE_SIZE };

/** A claim as the API shows it, with one page of its lines (the first unless asked) and their count. */
/** A claim without its lines (a list's item: a claim may have 300,000 lines; its own GET pages them). */
export async function claimSummary(db: Knex, c: ClaimRow) {
  const basics = claimBasics(c);
  const names = await usernamesOf(db, [c.filed_by, c.checked_by, c.approved_by, c.rejected_by]);
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    ...basics,
    status: basics.status as ClaimStatus,
    filedOn: c.filed_on,
    checkReason: c.check_reason,
    approvedBy: c.approved_by,
    approvalReason: c.approval_reason,
    rejectedBy: c.rejected_by,
    rejectionReason: c.rejection_reason,
    fundId: c.fund_id,
    paidOn: c.paid_on,
    usernames: { filedBy: name(c.filed_by), checkedBy: name(c.checked_by), approvedBy: name(c.approved_by), rejectedBy: name(c.rejected_by) },
  };
}

/** A claim with one page of its lines. */
export async function claimView(db: Knex, c: ClaimRow, linesPage: LinesPage = FIRST_LINES) {
  return { ...(await claimSummary(db, c)), lines: await claimLines(db, c, linesPage), linesPage: linesPage.page, linesPageSize: linesPage.pageSize };
}

export type ClaimView = Awaited<ReturnType<typeof claimView>>;

const claimRow = async (db: Knex, id: string): Promise<ClaimRow> => db('subsidy_claims').where({ id }).first();

/** 404 when there is no such claim; 403 when it is another bank's. */
async function visibleClaim(db: Knex, id: string, caller: Caller): Promise<ClaimRow> {
  const row: ClaimRow | undefined = await scopeClaims(db('subsidy_claims').where({ id }), caller).first();
  return visibleOr403(db, 'subsidy_claims', id, row, 'subsidy claim', 'belongs to another bank');
}

export async function getClaim(deps: RecordsDeps, caller: Caller, id: string, linesPage: LinesPage = FIRST_LINES): Promise<ClaimView> {
  return claimView(deps.db, await visibleClaim(deps.db, id, caller), linesPage);
}

/** Claims the caller may see (banks: their own), newest first. */
export async function listClaims(deps: RecordsDeps, caller: Caller, f: { quarter?: string; status?: string; bankId?: string; page: number; pageSize: number }) {
  const base = scopeClaims(deps.db('subsidy_claims'), caller);
  if (f.quarter) base.where({ quarter: f.quarter });
  if (f.status) base.where({ status: f.status });
  if (f.bankId) base.where({ bank_id: f.bankId });
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const rows: ClaimRow[] = await base
    .clone()
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  const items = await Promise.all(rows.map((r) => claimSummary(deps.db, r)));
  return { items, total: Number(counted[0]?.count ?? 0) };
}

/**
 * The bank files its interest-subsidy claim for an ended quarter: one workflow run per filing,
 * started with its filing update (update-with-start), so a refusal answers at once. The claim's id
 * comes from the Idempotency-Key (idOfRequest): a filing retried after a server fault answers with
 * the claim its first attempt filed, or waits for that attempt's filing, instead of a 409.
 */
export async function fileSubsidyClaim(deps: WorkflowDeps, caller: Caller, quarter: string, request: RequestIds & { idempotency?: KeyUse | null }): Promise<ClaimView> {
  const bankId = caller.orgId!;
  const claimId = idOfRequest('subsidy-claim', caller.id, request.idempotency);
  if (request.idempotency) {
    const first = await claimRow(deps.db, claimId);
    if (first) return claimView(deps.db, first);
  }
  const workflowId = subsidyClaimWorkflowId(bankId, quarter);
  const start = new WithStartWorkflowOperation(subsidyClaim, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [{ claimId, bankId, quarter, meta: metaOf(caller, request) }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  await fileWithStart(deps, filingUpdate, start, async () => (await firstAttemptsFiling(deps, workflowId, claimId)) ?? (await inProgress(deps, bankId, quarter)));
  return claimView(deps.db, await claimRow(deps.db, claimId));
}

/** The filing of the running workflow when it runs this request's claim (its first attempt's), else undefined. */
async function firstAttemptsFiling(deps: WorkflowDeps, workflowId: string, claimId: string): Promise<FilingResult | undefined> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  // Only a workflow that is gone says "not this request's": any other failure (no worker to answer,
  // a deadline) is a fault, answered 5xx, which frees the key for the client's retry rather than
  // storing a 409 for good.
  const running = await handle.query(claimStateQuery).catch((e: unknown) => {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  });
  return running?.id === claimId ? asking(() => handle.executeUpdate(filingUpdate)) : undefined;
}

/** Another filing of the bank's quarter is in progress: 409 naming it. */
async function inProgress(deps: WorkflowDeps, bankId: string, quarter: string): Promise<never> {
  const live = await deps.db('subsidy_claims').where({ bank_id: bankId, quarter }).orderBy('created_at', 'desc').first('id', 'status');
  throw new DomainError('CONFLICT', `A claim for ${quarter} is already in progress${live ? ` (claim ${live.id}, ${live.status})` : ''}`, [
    { path: 'quarter', message: 'already claimed; wait for the decision on the claim in progress' },
  ]);
}

/** A decision for the claim's workflow; answers with the claim once it is recorded. */
async function decide(deps: WorkflowDeps, caller: Caller, id: string, request: RequestIds, send: (h: WorkflowHandle, meta: ClaimDecisionMeta) => Promise<unknown>): Promise<ClaimView> {
  const row = await visibleClaim(deps.db, id, caller);
  try {
    await asking(() => send(deps.temporal.workflow.getHandle(row.workflow_id), { ...metaOf(caller, request), claimId: row.id }));
  } catch (e) {
    // The workflow has finished, or now runs a claim filed again after this one was rejected.
    const closed = e instanceof WorkflowClosedError || (e instanceof WorkflowRefusal && e.type === failureTypes.notCurrent);
    if (!closed) throw e;
    throw new DomainError('INVALID_STATE', `No decision is possible: the claim is ${(await claimRow(deps.db, row.id)).status}`);
  }
  return claimView(deps.db, await claimRow(deps.db, row.id));
}

/** The finance officer's check of a claim against the records (maker). */
export const checkSubsidyClaim = (deps: WorkflowDeps, caller: Caller, id: string, body: ClaimDecision, r: DecisionRequest) =>
  decide(deps, caller, id, r, (h, meta) => h.executeUpdate(claimCheckUpdate, { args: [body, meta], updateId: r.updateId }));

/** The finance approver's decision (checker): approval pays from the fund, or the claim waits for budget. */
export const approveSubsidyClaim = (deps: WorkflowDeps, caller: Caller, id: string, body: ClaimDecision, r: DecisionRequest) =>
  decide(deps, caller, id, r, (h, meta) => h.executeUpdate(claimApprovalUpdate, { args: [body, meta], updateId: r.updateId }));

/** A claim waiting for budget tries its payout again. */
export const retrySubsidyClaimPayment = (deps: WorkflowDeps, caller: Caller, id: string, r: DecisionRequest) =>
  decide(deps, caller, id, r, (h, meta) => h.executeUpdate(claimPaymentRetryUpdate, { args: [meta], updateId: r.updateId }));

/** The finance approver pays again a claim whose payout a reconciliation reversed. */
export async function payReversedClaimAgain(deps: RecordsDeps, caller: Caller, id: string, reason: string, request: KeyedRequest): Promise<ClaimView> {
  await visibleClaim(deps.db, id, caller);
  const actor = { userId: caller.id, username: caller.username, role: caller.role, orgId: caller.orgId };
  const pay = () => payClaimAgain(deps, { claimId: id, reason, actor, requestId: request.requestId, today: todayOf(deps) });
  await answeringOwnRetry<unknown>(request, pay, refusedAs('INVALID_STATE'), async (since) => {
    const paid = await deps.db('subsidy_claims').where({ id, status: 'PAID' }).first('id');
    const mine = paid && (await auditedSince(deps.db, { action: 'subsidy_claim.paid_again', entityType: 'subsidy_claim', entityId: id, userId: caller.id, since, reason: reason.trim() }));
    return mine ? true : undefined;
  });
  return claimView(deps.db, await claimRow(deps.db, id));
}

/** A waiting claim whose payout could not be tried again, and why (not: the fund is still short). */
export interface ClaimNotRetried {
  claimId: string;
  code: string;
  message: string;
}

export interface WaitingClaimsOutcome {
  /** Claims that were waiting for budget and are now paid. */
  paid: string[];
  /** Claims still waiting for budget (those in `notRetried` among them). */
  waiting: string[];
  notRetried: ClaimNotRetried[];
}

/**
 * After a top-up, the claims waiting for budget try their payout again, oldest first, each through
 * its workflow's update: the caller learns at once which were paid and which still wait. A claim
 * still short of budget simply waits; one whose retry failed for another reason waits too, and is
 * reported with the reason (and logged with the request id).
 */
export async function payWaitingClaims(deps: WorkflowDeps, financeBureauId: string, meta: DecisionMeta): Promise<WaitingClaimsOutcome> {
  // A claim is paid from the fund of the bureau whose approver approved it.
  const rows: Array<{ id: string; workflow_id: string }> = await deps.db('subsidy_claims as c')
    .join('users as u', 'u.id', 'c.approved_by')
    .where({ 'c.status': 'PENDING_BUDGET', 'u.org_id': financeBureauId })
    .orderBy([{ column: 'c.approved_at' }, { column: 'c.id' }])
    .select('c.id', 'c.workflow_id');
  const out: WaitingClaimsOutcome = { paid: [], waiting: [], notRetried: [] };
  for (const c of rows) {
    try {
      const state = await asking(() => deps.temporal.workflow.getHandle(c.workflow_id).executeUpdate(claimPaymentRetryUpdate, { args: [{ ...meta, claimId: c.id }] }));
      (state.status === 'PAID' ? out.paid : out.waiting).push(c.id);
    } catch (e) {
      const refusal = e instanceof DomainError;
      const reason: ClaimNotRetried = refusal
        ? { claimId: c.id, code: e.code, message: e instanceof WorkflowClosedError ? "the claim's workflow has finished" : e.message }
        : { claimId: c.id, code: 'INTERNAL', message: 'its payout could not be tried again; the request id identifies it in the logs' };
      deps.logger?.[refusal ? 'warn' : 'error']({ err: e, requestId: meta.requestId, claimId: c.id }, 'a claim waiting for budget was not retried');
      out.waiting.push(c.id);
      out.notRetried.push(reason);
    }
  }
  return out;
}
