import { z } from 'zod';
import type { ApiRouter } from '../route';
import type { ApiDeps } from '../deps';
import type { AuthUser } from '../auth/middleware';
import type { IdempotencyKeyUse } from '../idempotency';
import { routeKinds } from '../route-kinds';
import { quarterSchema } from '../../domain/date-schemas';
import { closeQuarter, decideReopen, getPeriodView, requestReopen } from '../../usecases/periods';
import { actorOf, todayOf } from '../../usecases/deps';
import { proposalSchema } from './proposals';
import { visibleText } from '../../domain/text-schemas';

const periodSchema = z
  .object({
    quarter: z.string(),
    status: z.enum(['open', 'closed']),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    blockers: z.array(z.object({ path: z.string(), message: z.string() })).meta({ description: 'what stops a close now; empty when it could close' }),
    reconciliations: z.array(z.object({ id: z.string(), bankId: z.string(), unresolved: z.number() })),
    history: z.array(
      z.object({
        action: z.enum(['close', 'reopen']),
        reason: z.string().nullable(),
        by: z.string(),
        role: z.string(),
        at: z.string(),
        requestedBy: z.string().nullable().meta({ description: 'for a reopening: who asked (by is the approver)' }),
      }),
    ),
    reopenRequests: z.array(proposalSchema).meta({ description: 'requests to reopen the quarter, newest first; at most one pending' }),
  })
  .meta({ id: 'AccountingPeriod' });

const quarterParam = z.object({ quarter: quarterSchema });
const reason = visibleText(z.string().trim().min(3, 'at least 3 characters').max(2000), { lines: true });

export function periodRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'finance');
  route.read('/v1/periods/:quarter', {
    summary: 'A quarter: open or closed, what would stop its close, its reconciliations and its close/reopen history',
    auth: ['finance_officer', 'finance_approver', 'auditor'],
    params: quarterParam,
    reply: { description: 'The quarter', schema: periodSchema },
    load: ({ params, deps }) => getPeriodView(deps, params.quarter, todayOf(deps)),
  });

  // Each step names the quarter, who acts, why, the business date and the Idempotency-Key it runs under.
  const step = ({ params, body, deps, user, requestId, idempotency }: { params: { quarter: string }; body: { reason?: string }; deps: ApiDeps; user: AuthUser; requestId: string; idempotency: IdempotencyKeyUse | null }) => ({
    quarter: params.quarter,
    actor: actorOf(user),
    reason: body.reason,
    requestId,
    idempotency,
    today: todayOf(deps),
  });

  route.decide('/v1/periods/:quarter/close', {
    summary: 'Close a quarter: later postings dated in it are refused by the ledger',
    description:
      'Only after the quarter has ended, when every bank paid in it has a reconciled statement that saw every payout, and no mismatch of those ' +
      'reconciliations is unresolved; otherwise 409 INVALID_STATE with each blocker in `details`. A closed quarter is 409 as well.',
    auth: ['finance_approver'],
    params: quarterParam,
    body: z.object({ reason: visibleText(z.string().trim().max(2000), { lines: true }).optional() }).strict(),
    reply: { description: 'Closed', schema: periodSchema },
    run: (ctx) => closeQuarter(ctx.deps, step(ctx)),
  });

  route.decide('/v1/periods/:quarter/reopen', {
    summary: 'Ask to reopen a closed quarter (maker): a different finance approver must approve it',
    description: 'Answers with the quarter, the new request pending in `reopenRequests`. One request may wait per quarter (409 otherwise).',
    auth: ['finance_officer', 'finance_approver'],
    params: quarterParam,
    body: z.object({ reason }).strict().meta({ id: 'ReopenRequest' }),
    status: 201,
    reply: { description: 'Requested; the quarter is still closed', schema: periodSchema },
    run: async (ctx) => (await requestReopen(ctx.deps, { ...step(ctx), reason: ctx.body.reason })).period,
  });

  route.decide('/v1/periods/:quarter/reopen-requests/:requestId/decision', {
    summary: 'Approve (the quarter opens) or reject a request to reopen (checker: a finance approver who did not ask)',
    description: 'The person who asked may not decide (403). Rejecting needs a reason. A decided request is 409.',
    auth: ['finance_approver'],
    params: quarterParam.extend({ requestId: z.uuid({ message: 'must be a UUID' }) }),
    body: z
      .object({ decision: z.enum(['approve', 'reject']), reason: reason.optional() })
      .strict()
      .meta({ id: 'ProposalDecision' }),
    reply: { description: 'Decided; the quarter as it now stands', schema: periodSchema },
    run: (ctx) => decideReopen(ctx.deps, { ...step(ctx), proposalId: ctx.params.requestId, decision: ctx.body.decision }),
  });
}
