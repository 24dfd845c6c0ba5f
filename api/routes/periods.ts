import { z } from 'zod';
import type { ApiRouter } from '../route';
import { quarterSchema } from '../../domain/date-schemas';
import { closeQuarter, decideReopen, getPeriodView, requestReopen } from '../../usecases/periods';
import { actorOf, todayOf } from '../../usecases/deps';
import { proposalSchema } from './proposals';

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
const reason = z.string().trim().min(3, 'at least 3 characters').max(2000);

export function periodRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/periods/:quarter',
    tag: 'finance',
    summary: 'A quarter: open or closed, what would stop its close, its reconciliations and its close/reopen history',
    auth: ['finance_officer', 'finance_approver', 'auditor'],
    params: quarterParam,
    responses: { 200: { description: 'The quarter', schema: periodSchema } },
    async handler({ params, deps }) {
      return { status: 200, body: await getPeriodView(deps, params.quarter, todayOf(deps)) };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/periods/:quarter/close',
    tag: 'finance',
    summary: 'Close a quarter: later postings dated in it are refused by the ledger',
    description:
      'Only after the quarter has ended, when every bank paid in it has a reconciled statement that saw every payout, and no mismatch of those ' +
      'reconciliations is unresolved; otherwise 409 INVALID_STATE with each blocker in `details`. A closed quarter is 409 as well.',
    auth: ['finance_approver'],
    idempotent: true,
    params: quarterParam,
    body: z.object({ reason: z.string().trim().max(2000).optional() }).strict(),
    responses: { 200: { description: 'Closed', schema: periodSchema } },
    async handler({ params, body, deps, user, requestId }) {
      const view = await closeQuarter(deps, { quarter: params.quarter, actor: actorOf(user), reason: body.reason, requestId, today: todayOf(deps) });
      return { status: 200, body: view };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/periods/:quarter/reopen',
    tag: 'finance',
    summary: 'Ask to reopen a closed quarter (maker): a different finance approver must approve it',
    description: 'Answers with the quarter, the new request pending in `reopenRequests`. One request may wait per quarter (409 otherwise).',
    auth: ['finance_officer', 'finance_approver'],
    idempotent: true,
    params: quarterParam,
    body: z.object({ reason }).strict().meta({ id: 'ReopenRequest' }),
    responses: { 201: { description: 'Requested; the quarter is still closed', schema: periodSchema } },
    async handler({ params, body, deps, user, requestId }) {
      const r = await requestReopen(deps, { quarter: params.quarter, actor: actorOf(user), reason: body.reason, requestId, today: todayOf(deps) });
      return { status: 201, body: r.period };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/periods/:quarter/reopen-requests/:requestId/decision',
    tag: 'finance',
    summary: 'Approve (the quarter opens) or reject a request to reopen (checker: a finance approver who did not ask)',
    description: 'The person who asked may not decide (403). Rejecting needs a reason. A decided request is 409.',
    auth: ['finance_approver'],
    idempotent: true,
    params: quarterParam.extend({ requestId: z.uuid({ message: 'must be a UUID' }) }),
    body: z
      .object({ decision: z.enum(['approve', 'reject']), reason: reason.optional() })
      .strict()
      .meta({ id: 'ProposalDecision' }),
    responses: { 200: { description: 'Decided; the quarter as it now stands', schema: periodSchema } },
    async handler({ params, body, deps, user, requestId }) {
      const view = await decideReopen(deps, {
        quarter: params.quarter, proposalId: params.requestId, decision: body.decision, reason: body.reason,
        actor: actorOf(user), requestId, today: todayOf(deps),
      });
      return { status: 200, body: view };
    },
  });
}
