import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ApiRouter, HandlerContext } from '../route';
import { ApiError, type ErrorCode } from '../errors';
import { actorOf } from '../actor';
import { updateErrorToApi } from '../workflow-errors';
import { claimLines, scopeClaims, type ClaimRow } from '../../db/repositories/subsidy';
import { claimDecisionSchema, newSubsidyClaimSchema } from '../../domain/loan-schemas';
import { quarterSchema } from '../../domain/dates';
import {
  budgetToppedUpSignal,
  claimApprovalUpdate,
  claimCheckUpdate,
  claimPaymentRetryUpdate,
  filingUpdate,
  subsidyClaimWorkflowId,
  type ClaimDecisionMeta,
} from '../../workflows/definitions';
import { subsidyClaim } from '../../workflows/subsidy-claim';

const money = z.string().meta({ description: 'decimal string with two decimals' });
const statusSchema = z.enum(['SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'REJECTED']);

export const claimViewSchema = z
  .object({
    id: z.string(),
    bankId: z.string(),
    quarter: z.string(),
    status: statusSchema,
    late: z.boolean().meta({ description: 'filed after the first month of the next quarter' }),
    filedOn: z.string(),
    lines: z.array(
      z.object({
        loanId: z.string(),
        period: z.number(),
        amount: money,
        dueOn: z.string(),
        balanceAtStart: money.meta({ description: "the loan's principal outstanding when the quarter began" }),
        balanceAtEnd: money.meta({ description: "the loan's principal outstanding when the quarter ended" }),
      }),
    ),
    total: money,
    checkedBy: z.string().nullable(),
    checkReason: z.string().nullable(),
    approvedBy: z.string().nullable(),
    approvalReason: z.string().nullable(),
    rejectedBy: z.string().nullable(),
    rejectionReason: z.string().nullable(),
    fundId: z.string().nullable(),
    paidOn: z.string().nullable(),
  })
  .meta({ id: 'SubsidyClaim' });

export async function claimView(db: Knex, c: ClaimRow) {
  return {
    id: c.id,
    bankId: c.bank_id,
    quarter: c.quarter,
    status: c.status as z.infer<typeof statusSchema>,
    late: c.late,
    filedOn: c.filed_on,
    lines: await claimLines(db, c.id),
    total: c.total,
    checkedBy: c.checked_by,
    checkReason: c.check_reason,
    approvedBy: c.approved_by,
    approvalReason: c.approval_reason,
    rejectedBy: c.rejected_by,
    rejectionReason: c.rejection_reason,
    fundId: c.fund_id,
    paidOn: c.paid_on,
  };
}

/**
 * Wakes every claim waiting for budget in this fund's bureau after a top-up: each tries its payout
 * again, oldest first by the ledger's row locks. Meant to be called after a budget allocation.
 */
export async function notifyBudgetTopUp(deps: { db: Knex; temporal: Client }, fundId: string): Promise<number> {
  const waiting: Array<{ workflow_id: string }> = await deps.db('subsidy_claims').where({ status: 'PENDING_BUDGET' }).orderBy('updated_at').select('workflow_id');
  for (const c of waiting) {
    await deps.temporal.workflow.getHandle(c.workflow_id).signal(budgetToppedUpSignal, { fundId }).catch(() => undefined);
  }
  return waiting.length;
}

const idParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
type Ctx = HandlerContext<{ id: string }, unknown, unknown>;

async function visibleOr404(ctx: Ctx): Promise<ClaimRow> {
  const row: ClaimRow | undefined = await scopeClaims(ctx.deps.db('subsidy_claims').where({ id: ctx.params.id }), ctx.user).first();
  if (row) return row;
  const exists = await ctx.deps.db('subsidy_claims').where({ id: ctx.params.id }).first('id');
  if (exists) throw new ApiError('FORBIDDEN', `subsidy claim ${ctx.params.id} belongs to another bank`);
  throw new ApiError('NOT_FOUND', `subsidy claim ${ctx.params.id} not found`);
}

async function decide(ctx: Ctx, send: (h: WorkflowHandle, meta: ClaimDecisionMeta) => Promise<unknown>) {
  const row = await visibleOr404(ctx);
  const meta: ClaimDecisionMeta = { actor: actorOf(ctx.user), requestId: ctx.requestId, claimId: row.id };
  try {
    await send(ctx.deps.temporal.workflow.getHandle(row.workflow_id), meta);
  } catch (e) {
    await updateErrorToApi(e, async () => undefined).catch(async (err: unknown) => {
      const closed = err instanceof ApiError && err.code === 'INVALID_STATE' && (err.message.startsWith('No decision is possible') || err.message.includes('no longer in progress'));
      if (closed) {
        const fresh = (await ctx.deps.db('subsidy_claims').where({ id: row.id }).first()) as ClaimRow;
        throw new ApiError('INVALID_STATE', `No decision is possible: the claim is ${fresh.status}`);
      }
      throw err;
    });
  }
  const fresh = (await ctx.deps.db('subsidy_claims').where({ id: row.id }).first()) as ClaimRow;
  return { status: 200, body: await claimView(ctx.deps.db, fresh) };
}

export function subsidyClaimRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/subsidy-claims',
    tag: 'subsidy-claims',
    summary: "File the bank's interest-subsidy claim for an ended quarter",
    description:
      'Lines are computed from the records: the on-time periods of this bank\'s loans due in the quarter that no claim holds yet, with each loan\'s principal at the quarter\'s start and end. ' +
      'A claim filed after the first month of the next quarter is accepted and marked late. A second filing while one is in progress is 409; after a rejection the bank files again.',
    auth: ['bank_officer'],
    idempotent: true,
    body: newSubsidyClaimSchema,
    responses: { 201: { description: 'Filed', schema: claimViewSchema } },
    async handler({ body, user, deps, requestId }) {
      const bankId = user.orgId!;
      const claimId = randomUUID();
      const workflowId = subsidyClaimWorkflowId(bankId, body.quarter);
      let handle: WorkflowHandle;
      try {
        handle = await deps.temporal.workflow.start(subsidyClaim, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [{ claimId, bankId, quarter: body.quarter, meta: { actor: actorOf(user), requestId } }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        const live = await deps.db('subsidy_claims').where({ bank_id: bankId, quarter: body.quarter }).orderBy('created_at', 'desc').first('id', 'status');
        throw new ApiError('CONFLICT', `A claim for ${body.quarter} is already in progress${live ? ` (claim ${live.id}, ${live.status})` : ''}`, [
          { path: 'quarter', message: 'already claimed; wait for the decision on the claim in progress' },
        ]);
      }
      const result = await handle.executeUpdate(filingUpdate);
      if (result.outcome === 'refused') throw new ApiError(result.type as ErrorCode, result.message, result.details);
      const row = (await deps.db('subsidy_claims').where({ id: claimId }).first()) as ClaimRow;
      return { status: 201, body: await claimView(deps.db, row), headers: { Location: `/v1/subsidy-claims/${claimId}` } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/subsidy-claims',
    tag: 'subsidy-claims',
    summary: 'Subsidy claims you may see (banks: their own), newest first',
    auth: ['bank_officer', 'finance_officer', 'finance_approver', 'auditor'],
    query: z
      .object({
        quarter: quarterSchema.optional(),
        status: statusSchema.optional(),
        bankId: z.uuid({ message: 'must be a UUID' }).optional(),
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
    responses: { 200: { description: 'A page', schema: z.object({ items: z.array(claimViewSchema), page: z.number(), pageSize: z.number(), total: z.number() }) } },
    async handler({ query, user, deps }) {
      const base = scopeClaims(deps.db('subsidy_claims'), user);
      if (query.quarter) base.where({ quarter: query.quarter });
      if (query.status) base.where({ status: query.status });
      if (query.bankId) base.where({ bank_id: query.bankId });
      const counted = await base.clone().count<{ count: number }[]>('* as count');
      const rows: ClaimRow[] = await base
        .clone()
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const items = await Promise.all(rows.map((r) => claimView(deps.db, r)));
      return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total: Number(counted[0]?.count ?? 0) } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/subsidy-claims/:id',
    tag: 'subsidy-claims',
    summary: 'One subsidy claim with its lines',
    auth: ['bank_officer', 'finance_officer', 'finance_approver', 'auditor'],
    params: idParam,
    responses: { 200: { description: 'The claim', schema: claimViewSchema } },
    async handler(ctx) {
      return { status: 200, body: await claimView(ctx.deps.db, await visibleOr404(ctx as Ctx)) };
    },
  });

  const decision = (o: { path: string; summary: string; description: string; role: 'finance_officer' | 'finance_approver'; update: typeof claimCheckUpdate }) =>
    api.add({
      method: 'post',
      path: `/v1/subsidy-claims/:id/${o.path}`,
      tag: 'subsidy-claims',
      summary: o.summary,
      description: o.description,
      auth: [o.role],
      idempotent: true,
      params: idParam,
      body: claimDecisionSchema,
      responses: { 200: { description: 'Recorded; the claim as it now stands', schema: claimViewSchema } },
      handler: (ctx) => decide(ctx as Ctx, (h, meta) => h.executeUpdate(o.update, { args: [ctx.body, meta] })),
    });

  decision({
    path: 'check',
    summary: "The finance officer's check of a claim against the records (maker)",
    description: 'approve → CHECKED; reject (with a reason) → REJECTED, and the bank may file again.',
    role: 'finance_officer',
    update: claimCheckUpdate,
  });
  decision({
    path: 'approval',
    summary: "The finance approver's decision (checker, not the person who checked)",
    description:
      "approve → the total is reserved from the special fund of the year and paid to the bank (PAID), or the claim waits in PENDING_BUDGET until the fund is topped up; the fund is never overspent. reject (with a reason) → REJECTED.",
    role: 'finance_approver',
    update: claimApprovalUpdate,
  });

  api.add({
    method: 'post',
    path: '/v1/subsidy-claims/:id/payment',
    tag: 'subsidy-claims',
    summary: 'Try the payout of a claim waiting for budget again (after a top-up)',
    description: 'Answers with the claim: PAID when the fund now covers it, still PENDING_BUDGET otherwise. Claims are also woken by a budget top-up.',
    auth: ['finance_officer', 'finance_approver'],
    idempotent: true,
    params: idParam,
    responses: { 200: { description: 'The claim as it now stands', schema: claimViewSchema } },
    handler: (ctx) => decide(ctx as Ctx, (h, meta) => h.executeUpdate(claimPaymentRetryUpdate, { args: [meta] })),
  });
}
