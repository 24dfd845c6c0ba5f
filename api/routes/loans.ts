import { z } from 'zod';
import type { ApiRouter } from '../route';
import { money } from '../reply-schemas';
import { idParam, routeKinds } from '../route-kinds';
import { extensionSchema, recoverySchema, repaymentSchema } from '../../domain/loan-schemas';
import { OVERDUE_BUCKETS, extendLoan, getLoan, listLoans, quoteEarlyRepayment, reportRecovery, reportRepayment } from '../../usecases/loans';
import { isoDateSchema } from '../../domain/date-schemas';

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

const VIEWERS = ['applicant', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'] as const;

const asNowStands = (description: string) => ({ description: `${description}; the loan as it now stands`, schema: loanViewSchema });

export function loanRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'loans', { auth: VIEWERS });
  route.page('/v1/loans', {
    summary: 'Loans you may see, newest first',
    filters: {
      status: z.enum(['REPAYING', 'REPAID', 'DEFAULTED']).optional(),
      bucket: z.enum(OVERDUE_BUCKETS).optional().meta({ description: 'loans being repaid whose arrears are: current (none), d1_30, d31_90 or d90 (over 90) days old' }),
    },
    itemsDescription: 'A page of loans',
    item: loanViewSchema.omit({ schedule: true, repayments: true }).extend({
      overdueDays: z.number().meta({ description: 'days since the earliest due date of a period still not paid in full (0: none past due, or the loan has ended)' }),
      overdueBucket: z.enum(OVERDUE_BUCKETS),
    }).meta({ id: 'LoanSummary' }),
    list: ({ query, user, deps }) => listLoans(deps, user, query),
  });

  route.byId('/v1/loans/:id', {
    summary: 'A loan with its schedule, repayments and, after a default, its compensation',
    reply: { description: 'The loan', schema: loanViewSchema },
    load: ({ params, user, deps }) => getLoan(deps, user, params.id),
  });

  route.read('/v1/loans/:id/payoff', {
    summary: 'What repays the loan in full on a date (early repayment, 提前还款): the outstanding principal and the broken period\'s interest',
    description:
      'The amount a repayment must carry, for the current period, to repay the whole loan early on `paidOn` (today by default); the subsidy that interest earns. ' +
      '409 INVALID_STATE when no early repayment is possible that day (before the current period began, on or after the last due date, or with the current period partly paid).',
    params: idParam,
    query: z.object({ paidOn: isoDateSchema.optional() }).strict(),
    reply: {
      description: 'The quote',
      schema: z
        .object({ period: z.number(), paidOn: z.string(), principal: money, interest: money, subsidy: money, amount: money.meta({ description: 'principal + interest: the repayment to send' }) })
        .meta({ id: 'PayoffQuote' }),
    },
    load: ({ params, query, user, deps }) => quoteEarlyRepayment(deps, user, params.id, query.paidOn),
  });

  route.decide('/v1/loans/:id/repayments', {
    summary: "The bank reports a repayment (its own loans only)",
    description:
      'Settles the periods in order. A period paid in full by its due date plus the policy grace days is on time and accrues its subsidy to the bank. ' +
      "An amount equal to the outstanding principal plus the current period's interest for the actual days repays the loan early in full. " +
      'paidOn may be a past date within the back-dating window, never a future one.',
    auth: ['bank_officer'],
    body: repaymentSchema,
    status: 201,
    reply: asNowStands('Recorded'),
    run: ({ params, body, user, deps }, r) => reportRepayment(deps, user, params.id, body, r),
  });

  route.decide('/v1/loans/:id/extension', {
    summary: 'Extend the loan once (展期), by up to the policy maximum',
    description: 'The periods not yet due are re-planned over the longer term; periods beyond the original term earn no subsidy.',
    auth: ['bank_officer'],
    body: extensionSchema,
    reply: asNowStands('Extended'),
    run: ({ params, body, user, deps }, r) => extendLoan(deps, user, params.id, body, r),
  });

  route.decide('/v1/loans/:id/recoveries', {
    summary: 'Money recovered from the borrower after a default (guarantee company officers)',
    description: 'Repays the guarantee fund and the guarantee company pro rata to what each compensated; at most what is still to recover.',
    auth: ['guarantee_reviewer', 'guarantee_approver'],
    body: recoverySchema,
    status: 201,
    reply: asNowStands('Recorded'),
    run: ({ params, body, user, deps }, r) => reportRecovery(deps, user, params.id, body, r),
  });
}
