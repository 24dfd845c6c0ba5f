import { z } from 'zod';
import type { Knex } from 'knex';
import type { WorkflowHandle } from '@temporalio/client';
import type { ApiRouter, HandlerContext } from '../route';
import { pageNumber } from '../paging';
import { ApiError } from '../errors';
import { actorOf } from '../actor';
import { updateErrorToApi } from '../workflow-errors';
import { updateIdOf } from '../updates';
import { findVisibleLoan, loanPeriods, loanRepayments, type LoanRow } from '../../db/repositories/loans';
import { scopeApplications } from '../../db/repositories/applications';
import { extensionSchema, recoverySchema, repaymentSchema } from '../../domain/loan-schemas';
import { Money, formatMoney } from '../../domain/money';
import { extensionUpdate, loanWorkflowId, recoveryUpdate, repaymentUpdate, type DecisionMeta } from '../../workflows/definitions';

const money = z.string().meta({ description: 'decimal string with two decimals' });

const periodViewSchema = z.object({
  period: z.number(),
  dueOn: z.string(),
  quarter: z.string(),
  principal: money,
  interest: money,
  subsidy: money.meta({ description: 'earned when paid on time; 0.00 once the period is late, defaulted or extended' }),
  amountDue: money,
  paid: money,
  paidOn: z.string().nullable(),
  onTime: z.boolean().nullable(),
  extended: z.boolean(),
  status: z.string(),
});

export const loanViewSchema = z
  .object({
    id: z.string(),
    applicationId: z.string(),
    status: z.enum(['REPAYING', 'REPAID', 'DEFAULTED']),
    principal: money,
    outstanding: money,
    annualRate: z.string(),
    repaymentMethod: z.string(),
    disbursedOn: z.string(),
    termMonths: z.number(),
    extendedMonths: z.number(),
    maturityOn: z.string().nullable(),
    bankId: z.string(),
    guaranteeCompanyId: z.string().nullable(),
    contractNo: z.string(),
    policyId: z.string(),
    endedOn: z.string().nullable(),
    endReason: z.string().nullable(),
    subsidyEarned: money,
    schedule: z.array(periodViewSchema),
    repayments: z.array(
      z.object({ period: z.number(), kind: z.string(), amount: money, interestPart: money, principalPart: money, paidOn: z.string(), bankReference: z.string() }),
    ),
    default: z
      .object({
        on: z.string(),
        lossPrincipal: money,
        lossInterest: money,
        compensatedByFund: money,
        borneByBank: money,
        compensatedByCompany: money,
        recovered: money,
      })
      .nullable(),
  })
  .meta({ id: 'Loan' });

const SETTLED = ['paid_on_time', 'paid_late'];
const EARNS_NOTHING = ['paid_late', 'defaulted'];

export async function loanView(db: Knex, l: LoanRow) {
  const [periods, repayments] = await Promise.all([loanPeriods(db, l.id), loanRepayments(db, l.id)]);
  let earned = new Money(0);
  const schedule = periods.map((p) => {
    if (p.status === 'paid_on_time') earned = earned.plus(p.subsidy);
    return {
      period: p.period,
      dueOn: p.due_on,
      quarter: p.quarter,
      principal: p.principal,
      interest: p.interest,
      subsidy: EARNS_NOTHING.includes(p.status) ? '0.00' : p.subsidy,
      amountDue: formatMoney(new Money(p.principal).plus(p.interest)),
      paid: p.paid,
      paidOn: SETTLED.includes(p.status) ? p.last_paid_on : null,
      onTime: p.status === 'paid_on_time' ? true : EARNS_NOTHING.includes(p.status) ? false : null,
      extended: p.extended,
      status: p.status,
    };
  });
  return {
    id: l.id,
    applicationId: l.application_id,
    status: l.status as 'REPAYING' | 'REPAID' | 'DEFAULTED',
    principal: l.principal,
    outstanding: l.outstanding_principal ?? l.principal,
    annualRate: l.annual_rate,
    repaymentMethod: l.repayment_method,
    disbursedOn: l.disbursed_on,
    termMonths: l.term_months,
    extendedMonths: l.extended_months,
    maturityOn: l.maturity_on,
    bankId: l.bank_id,
    guaranteeCompanyId: l.guarantee_company_id,
    contractNo: l.contract_no,
    policyId: l.policy_id,
    endedOn: l.ended_on,
    endReason: l.end_reason,
    subsidyEarned: formatMoney(earned),
    schedule,
    repayments: repayments.map((r) => ({
      period: r.period,
      kind: r.kind,
      amount: r.amount,
      interestPart: r.interest_part,
      principalPart: r.principal_part,
      paidOn: r.paid_on,
      bankReference: r.bank_reference,
    })),
    default: l.defaulted_on
      ? {
          on: l.defaulted_on,
          lossPrincipal: l.loss_principal!,
          lossInterest: l.loss_interest!,
          compensatedByFund: l.compensated_by_fund!,
          borneByBank: l.borne_by_bank!,
          compensatedByCompany: l.compensated_by_company!,
          recovered: l.recovered,
        }
      : null,
  };
}

const idParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
type Ctx = HandlerContext<{ id: string }, unknown, unknown>;

/** 404 when there is no such loan; 403 when it is someone else's. */
async function visibleOr404(ctx: Ctx): Promise<LoanRow> {
  const row = await findVisibleLoan(ctx.deps.db, ctx.params.id, ctx.user);
  if (row) return row;
  const exists = await ctx.deps.db('loans').where({ id: ctx.params.id }).first('id');
  if (exists) throw new ApiError('FORBIDDEN', `loan ${ctx.params.id} is not one of yours or your organisation's`);
  throw new ApiError('NOT_FOUND', `loan ${ctx.params.id} not found`);
}

async function decide(ctx: Ctx, status: number, send: (h: WorkflowHandle, meta: DecisionMeta) => Promise<unknown>) {
  const row = await visibleOr404(ctx);
  const meta: DecisionMeta = { actor: actorOf(ctx.user), requestId: ctx.requestId, clientRequestId: ctx.clientRequestId };
  try {
    await send(ctx.deps.temporal.workflow.getHandle(loanWorkflowId(row.id)), meta);
  } catch (e) {
    await updateErrorToApi(e, async () => undefined).catch(async (err: unknown) => {
      if (err instanceof ApiError && err.code === 'INVALID_STATE' && err.message.startsWith('No decision is possible')) {
        const fresh = (await ctx.deps.db('loans').where({ id: row.id }).first()) as LoanRow;
        throw new ApiError('INVALID_STATE', `Nothing more can be recorded on this loan: it is ${fresh.status}${fresh.end_reason ? ` (${fresh.end_reason})` : ''}`);
      }
      throw err;
    });
  }
  const fresh = (await ctx.deps.db('loans').where({ id: row.id }).first()) as LoanRow;
  return { status, body: await loanView(ctx.deps.db, fresh) };
}

const VIEWERS = ['applicant', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'] as const;

export function loanRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/loans',
    tag: 'loans',
    summary: 'Loans you may see, newest first',
    auth: VIEWERS,
    query: z
      .object({
        status: z.enum(['REPAYING', 'REPAID', 'DEFAULTED']).optional(),
        page: pageNumber,
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
    responses: { 200: { description: 'A page of loans', schema: z.object({ items: z.array(loanViewSchema.omit({ schedule: true, repayments: true })), page: z.number(), pageSize: z.number(), total: z.number() }) } },
    async handler({ query, user, deps }) {
      const base = scopeApplications(deps.db('loans as l').join('applications as a', 'a.id', 'l.application_id'), user);
      if (query.status) base.where('l.status', query.status);
      const counted = await base.clone().count<{ count: number }[]>('* as count');
      const rows: LoanRow[] = await base
        .clone()
        .select('l.*')
        .orderBy([{ column: 'l.created_at', order: 'desc' }, { column: 'l.id' }])
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const items = await Promise.all(rows.map(async (r) => {
        const { schedule, repayments, ...rest } = await loanView(deps.db, r);
        return rest;
      }));
      return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total: Number(counted[0]?.count ?? 0) } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/loans/:id',
    tag: 'loans',
    summary: 'A loan with its schedule, repayments and, after a default, its compensation',
    auth: VIEWERS,
    params: idParam,
    responses: { 200: { description: 'The loan', schema: loanViewSchema } },
    async handler(ctx) {
      const row = await visibleOr404(ctx as Ctx);
      return { status: 200, body: await loanView(ctx.deps.db, row) };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/loans/:id/repayments',
    tag: 'loans',
    summary: "The bank reports a repayment (its own loans only)",
    description:
      'Settles the periods in order. A period paid in full by its due date plus the policy grace days is on time and accrues its subsidy to the bank. ' +
      "An amount equal to the outstanding principal plus the current period's interest for the actual days repays the loan early in full. " +
      'paidOn may be a past date within the back-dating window, never a future one.',
    auth: ['bank_officer'],
    idempotent: true,
    params: idParam,
    body: repaymentSchema,
    responses: { 201: { description: 'Recorded; the loan as it now stands', schema: loanViewSchema } },
    handler: (ctx) => decide(ctx as Ctx, 201, (h, meta) => h.executeUpdate(repaymentUpdate, { args: [ctx.body, meta], updateId: updateIdOf(ctx.req) })),
  });

  api.add({
    method: 'post',
    path: '/v1/loans/:id/extension',
    tag: 'loans',
    summary: 'Extend the loan once (展期), by up to the policy maximum',
    description: 'The periods not yet due are re-planned over the longer term; periods beyond the original term earn no subsidy.',
    auth: ['bank_officer'],
    idempotent: true,
    params: idParam,
    body: extensionSchema,
    responses: { 200: { description: 'Extended; the loan as it now stands', schema: loanViewSchema } },
    handler: (ctx) => decide(ctx as Ctx, 200, (h, meta) => h.executeUpdate(extensionUpdate, { args: [ctx.body, meta], updateId: updateIdOf(ctx.req) })),
  });

  api.add({
    method: 'post',
    path: '/v1/loans/:id/recoveries',
    tag: 'loans',
    summary: 'Money recovered from the borrower after a default (guarantee company officers)',
    description: 'Repays the guarantee fund and the guarantee company pro rata to what each compensated; at most what is still to recover.',
    auth: ['guarantee_reviewer', 'guarantee_approver'],
    idempotent: true,
    params: idParam,
    body: recoverySchema,
    responses: { 201: { description: 'Recorded; the loan as it now stands', schema: loanViewSchema } },
    handler: (ctx) => decide(ctx as Ctx, 201, (h, meta) => h.executeUpdate(recoveryUpdate, { args: [ctx.body, meta], updateId: updateIdOf(ctx.req) })),
  });
}
