import { z } from 'zod';
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ApiRouter, HandlerContext } from '../route';
import { pageNumber } from '../paging';
import { ApiError, type ErrorCode } from '../errors';
import { actorOf } from '../actor';
import { updateErrorToApi } from '../workflow-errors';
import { updateIdOf } from '../updates';
import {
  applicationHistory,
  findVisibleApplication,
  listApplications,
  type ApplicationRow,
} from '../../db/repositories/applications';
import {
  counterGuaranteeDecisionSchema,
  disbursalSchema,
  guaranteeApprovalSchema,
  guaranteeReviewSchema,
  newApplicationSchema,
  withdrawalSchema,
} from '../../domain/application-schemas';
import { applicationStatusSchema } from '../../domain/enums';
import { businessDateOf } from '../../domain/business-day';
import { checkRequestLimits } from '../../domain/eligibility';
import { loadPolicyInForce } from '../../db/repositories/policies';
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
} from '../../workflows/definitions';
import { loanApplication } from '../../workflows/application';
import type { Knex } from 'knex';

const historyItemSchema = z.object({
  step: z.string(),
  decision: z.string(),
  by: z.string().nullable(),
  role: z.string().nullable(),
  at: z.string(),
  reason: z.string().nullable(),
  amount: z.string().nullable(),
});

export const applicationViewSchema = z
  .object({
    id: z.string(),
    status: applicationStatusSchema,
    requestedAmount: z.string(),
    recommendedAmount: z.string().nullable(),
    approvedAmount: z.string().nullable(),
    loanId: z.string().nullable(),
    name: z.string(),
    idNumber: z.string(),
    targetGroup: z.string(),
    certificateNo: z.string(),
    communityId: z.string(),
    guaranteeCompanyId: z.string(),
    bankId: z.string().nullable(),
    termMonths: z.number(),
    repaymentMethod: z.string(),
    counterGuaranteeType: z.string().nullable(),
    policyId: z.string(),
    submittedOn: z.string(),
    stepDeadline: z.string().nullable(),
    endReason: z.string().nullable(),
    history: z.array(historyItemSchema),
  })
  .meta({ id: 'Application' });

const summarySchema = applicationViewSchema.omit({ history: true }).meta({ id: 'ApplicationSummary' });

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

export async function applicationView(db: Knex, a: ApplicationRow) {
  const history = await applicationHistory(db, a.id);
  return {
    ...summary(a),
    history: history.map((h) => ({
      step: h.step,
      decision: h.decision,
      by: h.by_username,
      role: h.role,
      at: (h.at as Date).toISOString(),
      reason: h.reason,
      amount: h.amount,
    })),
  };
}

const idParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

type Ctx = HandlerContext<{ id: string }, unknown, unknown>;

/** 404 when there is no such application; 403 when it belongs to someone else's organisation. */
async function visibleOr404(ctx: Ctx) {
  const row = await findVisibleApplication(ctx.deps.db, ctx.params.id, ctx.user);
  if (row) return row;
  const exists = await ctx.deps.db('applications').where({ id: ctx.params.id }).first('id');
  if (exists) throw new ApiError('FORBIDDEN', `application ${ctx.params.id} is not one of yours or your organisation's`);
  throw new ApiError('NOT_FOUND', `application ${ctx.params.id} not found`);
}

/** Sends a decision to the application's workflow; answers with the read model once recorded. */
async function decide<A>(ctx: Ctx, send: (h: WorkflowHandle, meta: DecisionMeta) => Promise<A>) {
  const row = await visibleOr404(ctx);
  const meta: DecisionMeta = { actor: actorOf(ctx.user), requestId: ctx.requestId, clientRequestId: ctx.clientRequestId };
  const handle = ctx.deps.temporal.workflow.getHandle(applicationWorkflowId(row.id));
  try {
    await send(handle, meta);
  } catch (e) {
    await updateErrorToApi(e, async () => (await ctx.deps.db('applications').where({ id: row.id }).first())?.status);
  }
  const fresh = (await ctx.deps.db('applications').where({ id: row.id }).first()) as ApplicationRow;
  return { status: 200, body: await applicationView(ctx.deps.db, fresh) };
}

const REFUSAL_CODES: readonly string[] = ['VALIDATION_FAILED', 'CONFLICT', 'INVALID_STATE', 'UNPROCESSABLE', 'FORBIDDEN'];
const apiCodeOf = (type: string): ErrorCode => (REFUSAL_CODES.includes(type) ? (type as ErrorCode) : 'UNPROCESSABLE');

/**
 * Starts the application's workflow and waits for its intake. A submission retried under the same
 * Idempotency-Key (after a 5xx freed the key) has the same application id, so it finds the
 * workflow its first attempt started and answers with the same intake.
 */
async function startApplication(
  temporal: Client,
  taskQueue: string,
  args: Parameters<typeof loanApplication>[0],
): Promise<IntakeResult | { outcome: 'recorded' }> {
  const workflowId = applicationWorkflowId(args.applicationId);
  try {
    const handle = await temporal.workflow.start(loanApplication, {
      taskQueue,
      workflowId,
      args: [args],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return await handle.executeUpdate(intakeUpdate);
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Still open: its intake answers. Closed (rejected, or refused at intake): the caller reads
    // what it recorded.
    return temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(intakeUpdate)
      .catch(() => ({ outcome: 'recorded' }) as const);
  }
}

/** The application id of a submission: derived from the Idempotency-Key when there is one. */
function applicationIdOf(userId: string, key: string | undefined): string {
  if (key === undefined) return randomUUID();
  const h = createHash('sha256').update(`application:${userId}:${key}`).digest('hex');
  // Formatted as a version-4-style UUID (the variant and version bits set).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function applicationRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/applications',
    tag: 'applications',
    summary: 'Submit a guaranteed start-up loan application',
    description:
      'Runs the certificate check and eligibility at once: 201 with status AWAITING_COUNTER_GUARANTEE, or REJECTED with the reasons in history. A second application while one is in progress is 409.',
    auth: ['applicant'],
    idempotent: true,
    body: newApplicationSchema,
    responses: { 201: { description: 'Submitted', schema: applicationViewSchema } },
    async handler({ req, body, user, deps, requestId, clientRequestId }) {
      if (body.idNumber !== user.idNumber) {
        throw new ApiError('FORBIDDEN', "idNumber must be your own account's ID number", [{ path: 'idNumber', message: 'is not the ID number of your account' }]);
      }
      const community = await deps.db('organisations').where({ id: body.communityId }).first();
      if (!community || community.type !== 'community') {
        throw new ApiError('VALIDATION_FAILED', 'communityId is not a credit community', [{ path: 'communityId', message: 'no such credit community' }]);
      }
      if (body.bankId) {
        const bank = await deps.db('organisations').where({ id: body.bankId }).first();
        if (!bank || bank.type !== 'bank') throw new ApiError('VALIDATION_FAILED', 'bankId is not a bank', [{ path: 'bankId', message: 'no such bank' }]);
      }
      const submittedOn = businessDateOf(deps.now?.() ?? new Date());
      const policy = await loadPolicyInForce(deps.db, submittedOn);
      if (!policy) throw new ApiError('UNPROCESSABLE', `no policy version is in force on ${submittedOn}; an admin must add one`);
      const limits = checkRequestLimits(body, policy.params);
      if (limits.length) {
        throw new ApiError('VALIDATION_FAILED', `Invalid body: ${limits[0]!.path} ${limits[0]!.message}`, limits.map(({ path, message }) => ({ path, message })));
      }
      const applicationId = applicationIdOf(user.id, req.header('idempotency-key'));
      const result = await startApplication(deps.temporal, deps.taskQueue, {
        ...body,
        bankId: body.bankId ?? null,
        applicationId,
        applicantUserId: user.id,
        submittedOn,
        meta: { actor: actorOf(user), requestId, clientRequestId },
      });
      if (result.outcome === 'conflict') throw new ApiError('CONFLICT', result.message, [{ path: 'idNumber', message: result.message }]);
      if (result.outcome === 'failed') throw new ApiError(apiCodeOf(result.type), result.message, result.details);
      const row = (await deps.db('applications').where({ id: applicationId }).first()) as ApplicationRow | undefined;
      if (!row) {
        const message = 'This person already has an application in progress; withdraw it or wait for its outcome';
        throw new ApiError('CONFLICT', message, [{ path: 'idNumber', message }]);
      }
      return { status: 201, body: await applicationView(deps.db, row), headers: { Location: `/v1/applications/${applicationId}` } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/applications',
    tag: 'applications',
    summary: 'Applications you may see, newest first',
    auth: ['applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'],
    query: z
      .object({
        status: applicationStatusSchema.optional(),
        page: pageNumber,
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
    responses: {
      200: {
        description: 'A page',
        schema: z.object({ items: z.array(summarySchema), page: z.number(), pageSize: z.number(), total: z.number() }),
      },
    },
    async handler({ query, user, deps }) {
      const { rows, total } = await listApplications(deps.db, user, query);
      return { status: 200, body: { items: rows.map(summary), page: query.page, pageSize: query.pageSize, total } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/applications/:id',
    tag: 'applications',
    summary: 'One application with its history',
    auth: 'signed-in',
    params: idParam,
    responses: { 200: { description: 'The application', schema: applicationViewSchema } },
    async handler(ctx) {
      const row = await visibleOr404(ctx as Ctx);
      return { status: 200, body: await applicationView(ctx.deps.db, row) };
    },
  });

  const decision = <B extends z.ZodType>(o: {
    path: string;
    summary: string;
    roles: Parameters<ApiRouter['add']>[0]['auth'];
    body: B;
    send: (h: WorkflowHandle, b: z.output<B>, meta: DecisionMeta, updateId: string | undefined) => Promise<unknown>;
  }) =>
    api.add({
      method: 'post',
      path: `/v1/applications/:id/${o.path}`,
      tag: 'applications',
      summary: o.summary,
      description: 'A decision that does not fit the current status is 409 INVALID_STATE.',
      auth: o.roles,
      idempotent: true,
      params: idParam,
      body: o.body,
      responses: { 200: { description: 'Recorded; the application as it now stands', schema: applicationViewSchema } },
      handler: (ctx) => decide(ctx as Ctx, (h, meta) => o.send(h, ctx.body as z.output<B>, meta, updateIdOf(ctx.req))),
    });

  decision({
    path: 'withdrawal',
    summary: 'Withdraw your application (before disbursal)',
    roles: ['applicant'],
    body: withdrawalSchema,
    send: (h, b, meta, updateId) => h.executeUpdate(withdrawalUpdate, { args: [b, meta], updateId }),
  });
  decision({
    path: 'counter-guarantee',
    summary: "The community's counter-guarantee decision",
    roles: ['community_officer'],
    body: counterGuaranteeDecisionSchema,
    send: (h, b, meta, updateId) => h.executeUpdate(counterGuaranteeUpdate, { args: [b, meta], updateId }),
  });
  decision({
    path: 'guarantee-review',
    summary: "The guarantee company's review (maker)",
    roles: ['guarantee_reviewer'],
    body: guaranteeReviewSchema,
    send: (h, b, meta, updateId) => h.executeUpdate(guaranteeReviewUpdate, { args: [b, meta], updateId }),
  });
  decision({
    path: 'guarantee-approval',
    summary: "The guarantee company's approval (checker, not the reviewer)",
    roles: ['guarantee_approver'],
    body: guaranteeApprovalSchema,
    send: (h, b, meta, updateId) => h.executeUpdate(guaranteeApprovalUpdate, { args: [b, meta], updateId }),
  });
  decision({
    path: 'disbursal',
    summary: "The bank's disbursal; starts the loan",
    roles: ['bank_officer'],
    body: disbursalSchema,
    send: (h, b, meta, updateId) => h.executeUpdate(disbursalUpdate, { args: [b, meta], updateId }),
  });
}
