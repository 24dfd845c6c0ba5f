import { z } from 'zod';
import type { ApiRouter } from '../route';
import { money } from '../reply-schemas';
import { idParam, pageOf, pageQuery, routeKinds } from '../route-kinds';
import { claimDecisionSchema, newSubsidyClaimSchema } from '../../domain/loan-schemas';
import { MAX_BUDGET_AMOUNT } from '../../domain/money';
import { positiveMoneyAtMost } from '../../domain/money-schemas';
import { quarterSchema } from '../../domain/date-schemas';
import { proposalSchema } from './proposals';
import {
  CLAIM_LINES_MAX_PAGE_SIZE,
  CLAIM_LINES_PAGE_SIZE,
  approveSubsidyClaim,
  checkSubsidyClaim,
  fileSubsidyClaim,
  getClaim,
  listClaims,
  payReversedClaimAgain,
  retrySubsidyClaimPayment,
} from '../../usecases/subsidy-claims';
import { decideTopUp, getTopUp, listTopUps, proposeTopUp } from '../../usecases/funds';
import { actorOf } from '../../usecases/deps';
import { visibleText } from '../../domain/text-schemas';

const statusSchema = z.enum(['SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'PAYOUT_REVERSED', 'REJECTED']);

export const claimViewSchema = z
  .object({
    id: z.string(),
    bankId: z.string(),
    quarter: z.string(),
    status: statusSchema,
    late: z.boolean().meta({ description: 'filed after the first month of the next quarter' }),
    filedOn: z.string(),
    lineCount: z.number().meta({ description: 'how many lines the claim has; `lines` holds one page of them' }),
    linesPage: z.number().meta({ description: 'the page of lines in `lines` (1 unless asked with `page`)' }),
    linesPageSize: z.number(),
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
    usernames: z
      .object({ filedBy: z.string().nullable(), checkedBy: z.string().nullable(), approvedBy: z.string().nullable(), rejectedBy: z.string().nullable() })
      .meta({ description: 'who filed, checked, approved or rejected it, by username (the fields above hold user ids)' }),
  })
  .meta({ id: 'SubsidyClaim' });

/** A list's item: the claim without its lines (GET /v1/subsidy-claims/{id} pages them). */
const claimSummarySchema = claimViewSchema.omit({ lines: true, linesPage: true, linesPageSize: true }).meta({ id: 'SubsidyClaimSummary' });

const READERS = ['bank_officer', 'finance_officer', 'finance_approver', 'auditor'] as const;

export function subsidyClaimRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'subsidy-claims', { auth: READERS });
  route.create('/v1/subsidy-claims', {
    summary: "File the bank's interest-subsidy claim for an ended quarter",
    description:
      'Lines are computed from the records: the on-time periods of this bank\'s loans due in the quarter that no claim holds yet, with each loan\'s principal at the quarter\'s start and end. ' +
      'A claim filed after the first month of the next quarter is accepted and marked late. A second filing while one is in progress is 409; after a rejection the bank files again.',
    auth: ['bank_officer'],
    body: newSubsidyClaimSchema,
    reply: { description: 'Filed', schema: claimViewSchema },
    make: ({ body, user, deps, idempotency }, r) => fileSubsidyClaim(deps, user, body.quarter, { ...r, idempotency }),
    location: (claim) => `/v1/subsidy-claims/${claim.id}`,
  });

  route.page('/v1/subsidy-claims', {
    summary: 'Subsidy claims you may see (banks: their own), newest first',
    filters: { quarter: quarterSchema.optional(), status: statusSchema.optional(), bankId: z.uuid({ message: 'must be a UUID' }).optional() },
    item: claimSummarySchema,
    list: ({ query, user, deps }) => listClaims(deps, user, query),
  });

  route.read('/v1/subsidy-claims/:id', {
    summary: 'One subsidy claim with a page of its lines',
    description: `A claim can have hundreds of thousands of lines: \`lines\` holds the page asked for (by due date, loan and period; ${CLAIM_LINES_PAGE_SIZE} a page unless asked), \`lineCount\` how many there are.`,
    params: idParam,
    query: pageQuery({}, CLAIM_LINES_MAX_PAGE_SIZE, CLAIM_LINES_PAGE_SIZE),
    reply: { description: 'The claim', schema: claimViewSchema },
    load: ({ params, query, user, deps }) => getClaim(deps, user, params.id, query),
  });

  const decision = (o: { path: string; summary: string; description: string; role: 'finance_officer' | 'finance_approver'; decide: typeof checkSubsidyClaim }) =>
    route.decide(`/v1/subsidy-claims/:id/${o.path}`, {
      summary: o.summary,
      description: o.description,
      auth: [o.role],
      body: claimDecisionSchema,
      reply: { description: 'Recorded; the claim as it now stands', schema: claimViewSchema },
      run: ({ params, body, user, deps }, r) => o.decide(deps, user, params.id, body, r),
    });

  decision({
    path: 'check',
    summary: "The finance officer's check of a claim against the records (maker)",
    description: 'approve → CHECKED; reject (with a reason) → REJECTED, and the bank may file again.',
    role: 'finance_officer',
    decide: checkSubsidyClaim,
  });
  decision({
    path: 'approval',
    summary: "The finance approver's decision (checker, not the person who checked)",
    description:
      "approve → the total is reserved from the special fund of the year and paid to the bank (PAID), or the claim waits in PENDING_BUDGET until the fund is topped up; the fund is never overspent. reject (with a reason) → REJECTED.",
    role: 'finance_approver',
    decide: approveSubsidyClaim,
  });

  route.decide('/v1/subsidy-claims/:id/payment', {
    summary: 'Try the payout of a claim waiting for budget again',
    description: 'Answers with the claim: PAID when the fund now covers it, still PENDING_BUDGET otherwise. A top-up (POST /v1/funds/:id/top-ups) does this for every waiting claim.',
    auth: ['finance_officer', 'finance_approver'],
    reply: { description: 'The claim as it now stands', schema: claimViewSchema },
    run: ({ params, user, deps }, r) => retrySubsidyClaimPayment(deps, user, params.id, r),
  });

  route.decide('/v1/subsidy-claims/:id/payout', {
    summary: 'Pay again a claim whose payout a reconciliation reversed (finance approver)',
    description:
      'A reconciliation that reverses a payout (POST /v1/reconciliations/{id}/mismatches/{itemNo}/resolution) leaves its claim PAYOUT_REVERSED, ' +
      "the amount back in the fund's reserved budget. Once the cause is corrected, this posts a new payout dated today and the claim is PAID again.",
    auth: ['finance_approver'],
    body: z.object({ reason: visibleText(z.string().trim().min(3, 'at least 3 characters').max(2000), { lines: true }) }).strict().meta({ id: 'ClaimPayAgain' }),
    reply: { description: 'The claim, paid again', schema: claimViewSchema },
    run: ({ params, body, user, deps }, r) => payReversedClaimAgain(deps, user, params.id, body.reason, r),
  });

  // The top-up lives here rather than with the fund reads because what matters about it is the
  // claims it pays: each claim waiting for budget tries its payout again, oldest first.
  const funds = routeKinds(api, 'funds');
  funds.create('/v1/funds/:id/top-ups', {
    summary: "Propose a top-up of a special fund's budget (maker: finance officer or approver of the fund's bureau)",
    description: `Nothing is allocated until a finance approver other than the proposer approves it (POST /v1/funds/{id}/top-ups/{proposalId}/decision). The amount is at most ${MAX_BUDGET_AMOUNT}, and so is the fund's budget after it (422 at approval otherwise).`,
    auth: ['finance_officer', 'finance_approver'],
    params: idParam,
    body: z.object({ amount: positiveMoneyAtMost(MAX_BUDGET_AMOUNT, "the most a fund's budget can be"), reason: visibleText(z.string().trim().min(3, 'at least 3 characters').max(2000), { lines: true }) }).strict().meta({ id: 'FundTopUp' }),
    reply: { description: 'Proposed; waiting for a finance approver', schema: proposalSchema },
    make: ({ params, body, user, deps }, { requestId, idempotency }) =>
      proposeTopUp(deps, { fundId: params.id, amount: body.amount, reason: body.reason, actor: actorOf(user), requestId, idempotency }),
    location: (proposal, { params }) => `/v1/funds/${params.id}/top-ups/${proposal.id}`,
  });

  funds.read('/v1/funds/:id/top-ups', {
    summary: "A fund's top-up proposals, newest first (its bureau's finance staff; the auditor)",
    description: 'Every proposal is kept, decided or not, so the list is paged.',
    auth: ['finance_officer', 'finance_approver', 'auditor'],
    params: idParam,
    query: pageQuery({}),
    reply: { description: 'A page of proposals', schema: pageOf(proposalSchema) },
    load: async ({ params, query, user, deps }) => ({ ...(await listTopUps(deps, user, params.id, query)), page: query.page, pageSize: query.pageSize }),
  });

  funds.read('/v1/funds/:id/top-ups/:proposalId', {
    summary: 'One top-up proposal of a fund, decided or not (its bureau\'s finance staff; the auditor)',
    auth: ['finance_officer', 'finance_approver', 'auditor'],
    params: idParam.extend({ proposalId: z.uuid({ message: 'must be a UUID' }) }),
    reply: { description: 'The proposal', schema: proposalSchema },
    load: ({ params, user, deps }) => getTopUp(deps, user, params.id, params.proposalId),
  });

  funds.decide('/v1/funds/:id/top-ups/:proposalId/decision', {
    summary: 'Approve (the budget is allocated; claims waiting for budget are paid if it now covers them) or reject a top-up (checker)',
    description: 'A finance approver of the fund’s bureau who did not propose it (403 otherwise). Rejecting needs a reason. A decided proposal is 409.',
    auth: ['finance_approver'],
    params: idParam.extend({ proposalId: z.uuid({ message: 'must be a UUID' }) }),
    body: z
      .object({ decision: z.enum(['approve', 'reject']), reason: visibleText(z.string().trim().min(3, 'at least 3 characters').max(2000), { lines: true }).optional() })
      .strict()
      .meta({ id: 'TopUpDecision' }),
    reply: {
      description: 'Decided; the proposal, the fund as it now stands, and the waiting claims the top-up paid',
      schema: z.object({
        proposal: proposalSchema,
        fund: z.object({ id: z.string(), year: z.number(), budget: money, reserved: money, paid: money, available: money, lapsed: money }),
        claimsPaid: z.array(z.string()).meta({ description: 'claims that were waiting for budget and are now paid' }),
        claimsWaiting: z.array(z.string()).meta({ description: 'claims still waiting for budget' }),
        claimsNotRetried: z
          .array(z.object({ claimId: z.string(), code: z.string(), message: z.string() }))
          .meta({ description: 'claims among claimsWaiting whose payout could not be tried again, and why (a claim the fund still cannot cover is not listed here)' }),
      }),
    },
    run: async ({ params, body, user, deps }, { requestId, clientRequestId, idempotency }) => {
      const r = await decideTopUp(deps, user, { fundId: params.id, proposalId: params.proposalId, decision: body.decision, reason: body.reason }, { requestId, clientRequestId, idempotency });
      return { proposal: r.proposal, fund: r.fund, claimsPaid: r.paid, claimsWaiting: r.waiting, claimsNotRetried: r.notRetried };
    },
  });
}
