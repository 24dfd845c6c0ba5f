import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { ApiRouter, HandlerContext } from '../route';
import { pageNumber } from '../paging';
import { ApiError, type ErrorCode } from '../errors';
import { actorOf } from '../actor';
import { updateErrorToApi } from '../workflow-errors';
import { updateIdOf } from '../updates';
import { claimLines, scopeClaims, type ClaimRow } from '../../db/repositories/subsidy';
import { claimDecisionSchema, newSubsidyClaimSchema } from '../../domain/loan-schemas';
import { MAX_BUDGET_AMOUNT, positiveMoneyAtMost } from '../../domain/money';
import { businessDateOf } from '../../domain/business-day';
import { getFund, getFundStatus } from '../../db/ledger';
import { decideTopUp, listTopUps, proposeTopUp } from '../../db/funds/top-ups';
import { proposalSchema } from './proposals';
import { quarterSchema } from '../../domain/dates';
import { payClaimAgain } from '../../db/reconciliation';
import { financeCall, todayOf } from './reconciliations';
import { ledgerCall } from './ledger';
import {
  claimApprovalUpdate,
  claimCheckUpdate,
  claimPaymentRetryUpdate,
  filingUpdate,
  subsidyClaimWorkflowId,
  type ClaimDecisionMeta,
  type FilingResult,
  type DecisionMeta,
} from '../../workflows/definitions';
import { subsidyClaim } from '../../workflows/subsidy-claim';

const money = z.string().meta({ description: 'decimal string with two decimals' });
const statusSchema = z.enum(['SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'PAYOUT_REVERSED', 'REJECTED']);

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
 * After a top-up, the claims waiting for budget try their payout again, oldest first, each through
 * its workflow's update: the caller learns at once which were paid and which still wait.
 */
export async function payWaitingClaims(
  deps: { db: Knex; temporal: Client },
  financeBureauId: string,
  meta: DecisionMeta,
): Promise<{ paid: string[]; waiting: string[] }> {
  // A claim is paid from the fund of the bureau whose approver approved it.
  const rows: Array<{ id: string; workflow_id: string }> = await deps.db('subsidy_claims as c')
    .join('users as u', 'u.id', 'c.approved_by')
    .where({ 'c.status': 'PENDING_BUDGET', 'u.org_id': financeBureauId })
    .orderBy([{ column: 'c.approved_at' }, { column: 'c.id' }])
    .select('c.id', 'c.workflow_id');
  const paid: string[] = [];
  const waiting: string[] = [];
  for (const c of rows) {
    const state = await deps.temporal.workflow
      .getHandle(c.workflow_id)
      .executeUpdate(claimPaymentRetryUpdate, { args: [{ ...meta, claimId: c.id }] })
      .catch(() => undefined);
    (state?.status === 'PAID' ? paid : waiting).push(c.id);
  }
  return { paid, waiting };
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
  const meta: ClaimDecisionMeta = { actor: actorOf(ctx.user), requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, claimId: row.id };
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
    async handler({ body, user, deps, requestId, clientRequestId }) {
      const bankId = user.orgId!;
      const claimId = randomUUID();
      const workflowId = subsidyClaimWorkflowId(bankId, body.quarter);
      // Update-with-start: the filing update reaches the workflow with its first task. Started
      // and then updated, a filing the workflow refuses at once (a quarter not yet ended) closed
      // the workflow before the update arrived, and the caller got a 500.
      const start = new WithStartWorkflowOperation(subsidyClaim, {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [{ claimId, bankId, quarter: body.quarter, meta: { actor: actorOf(user), requestId, clientRequestId } }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      let result: FilingResult;
      try {
        result = await deps.temporal.workflow.executeUpdateWithStart(filingUpdate, { startWorkflowOperation: start });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        const live = await deps.db('subsidy_claims').where({ bank_id: bankId, quarter: body.quarter }).orderBy('created_at', 'desc').first('id', 'status');
        throw new ApiError('CONFLICT', `A claim for ${body.quarter} is already in progress${live ? ` (claim ${live.id}, ${live.status})` : ''}`, [
          { path: 'quarter', message: 'already claimed; wait for the decision on the claim in progress' },
        ]);
      }
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
        page: pageNumber,
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
      handler: (ctx) => decide(ctx as Ctx, (h, meta) => h.executeUpdate(o.update, { args: [ctx.body, meta], updateId: updateIdOf(ctx.req) })),
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
    summary: 'Try the payout of a claim waiting for budget again',
    description: 'Answers with the claim: PAID when the fund now covers it, still PENDING_BUDGET otherwise. A top-up (POST /v1/funds/:id/top-ups) does this for every waiting claim.',
    auth: ['finance_officer', 'finance_approver'],
    idempotent: true,
    params: idParam,
    responses: { 200: { description: 'The claim as it now stands', schema: claimViewSchema } },
    handler: (ctx) => decide(ctx as Ctx, (h, meta) => h.executeUpdate(claimPaymentRetryUpdate, { args: [meta], updateId: updateIdOf(ctx.req) })),
  });

  api.add({
    method: 'post',
    path: '/v1/subsidy-claims/:id/payout',
    tag: 'subsidy-claims',
    summary: 'Pay again a claim whose payout a reconciliation reversed (finance approver)',
    description:
      'A reconciliation that reverses a payout (POST /v1/reconciliations/{id}/mismatches/{itemNo}/resolution) leaves its claim PAYOUT_REVERSED, ' +
      "the amount back in the fund's reserved budget. Once the cause is corrected, this posts a new payout dated today and the claim is PAID again.",
    auth: ['finance_approver'],
    idempotent: true,
    params: idParam,
    body: z.object({ reason: z.string().trim().min(3, 'at least 3 characters').max(2000) }).strict().meta({ id: 'ClaimPayAgain' }),
    responses: { 200: { description: 'The claim, paid again', schema: claimViewSchema } },
    async handler(ctx) {
      const { params, body, deps, user, requestId } = ctx;
      await visibleOr404(ctx as Ctx);
      await financeCall(() => payClaimAgain(deps.db, { claimId: params.id, reason: body.reason, actor: actorOf(user), requestId, today: todayOf(deps) }));
      const row: ClaimRow = await deps.db('subsidy_claims').where({ id: params.id }).first();
      return { status: 200, body: await claimView(deps.db, row) };
    },
  });

  // The top-up lives here rather than with the fund reads because what matters about it is the
  // claims it pays: each claim waiting for budget tries its payout again, oldest first.
  const fundParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
  api.add({
    method: 'post',
    path: '/v1/funds/:id/top-ups',
    tag: 'funds',
    summary: "Propose a top-up of a special fund's budget (maker: finance officer or approver of the fund's bureau)",
    description: `Nothing is allocated until a finance approver other than the proposer approves it (POST /v1/funds/{id}/top-ups/{proposalId}/decision). The amount is at most ${MAX_BUDGET_AMOUNT}, and so is the fund's budget after it (422 at approval otherwise).`,
    auth: ['finance_officer', 'finance_approver'],
    idempotent: true,
    params: fundParam,
    body: z.object({ amount: positiveMoneyAtMost(MAX_BUDGET_AMOUNT, "the most a fund's budget can be"), reason: z.string().trim().min(3, 'at least 3 characters').max(2000) }).strict().meta({ id: 'FundTopUp' }),
    responses: { 201: { description: 'Proposed; waiting for a finance approver', schema: proposalSchema } },
    async handler({ params, body, user, deps, requestId }) {
      const proposal = await financeCall(() => proposeTopUp(deps.db, { fundId: params.id, amount: body.amount, reason: body.reason, actor: actorOf(user), requestId }));
      return { status: 201, body: proposal, headers: { Location: `/v1/funds/${params.id}/top-ups/${proposal.id}` } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/funds/:id/top-ups',
    tag: 'funds',
    summary: "A fund's top-up proposals, newest first (its bureau's finance staff; the auditor)",
    auth: ['finance_officer', 'finance_approver', 'auditor'],
    params: fundParam,
    responses: { 200: { description: 'Proposals', schema: z.array(proposalSchema) } },
    async handler({ params, user, deps }) {
      const fund = await getFund(deps.db, params.id);
      if (!fund || (user.role !== 'auditor' && fund.financeBureauOrgId !== user.orgId)) throw new ApiError('NOT_FOUND', `fund ${params.id} not found`);
      return { status: 200, body: await listTopUps(deps.db, fund.id) };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/funds/:id/top-ups/:proposalId/decision',
    tag: 'funds',
    summary: 'Approve (the budget is allocated; claims waiting for budget are paid if it now covers them) or reject a top-up (checker)',
    description: 'A finance approver of the fund’s bureau who did not propose it (403 otherwise). Rejecting needs a reason. A decided proposal is 409.',
    auth: ['finance_approver'],
    idempotent: true,
    params: fundParam.extend({ proposalId: z.uuid({ message: 'must be a UUID' }) }),
    body: z
      .object({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().min(3, 'at least 3 characters').max(2000).optional() })
      .strict()
      .meta({ id: 'TopUpDecision' }),
    responses: {
      200: {
        description: 'Decided; the proposal, the fund as it now stands, and the waiting claims the top-up paid',
        schema: z.object({
          proposal: proposalSchema,
          fund: z.object({ id: z.string(), year: z.number(), budget: money, reserved: money, paid: money, available: money }),
          claimsPaid: z.array(z.string()).meta({ description: 'claims that were waiting for budget and are now paid' }),
          claimsWaiting: z.array(z.string()).meta({ description: 'claims still waiting for budget' }),
        }),
      },
    },
    async handler({ params, body, user, deps, requestId, clientRequestId }) {
      const proposal = await financeCall(() =>
        decideTopUp(deps.db, {
          fundId: params.id, proposalId: params.proposalId, decision: body.decision, reason: body.reason,
          actor: actorOf(user), requestId, today: businessDateOf(deps.now?.() ?? new Date()),
        }),
      );
      const { paid, waiting } =
        proposal.status === 'approved' ? await payWaitingClaims(deps, user.orgId!, { actor: actorOf(user), requestId, clientRequestId }) : { paid: [], waiting: [] };
      return { status: 200, body: { proposal, fund: await getFundStatus(deps.db, params.id), claimsPaid: paid, claimsWaiting: waiting } };
    },
  });
}
