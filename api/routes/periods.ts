import { z } from 'zod';
import type { ApiRouter } from '../route';
import { actorOf } from '../actor';
import { quarterSchema } from '../../domain/dates';
import { closeQuarter, periodView, reopenQuarter } from '../../db/reconciliation';
import { financeCall, todayOf } from './reconciliations';

const periodSchema = z
  .object({
    quarter: z.string(),
    status: z.enum(['open', 'closed']),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    blockers: z.array(z.object({ path: z.string(), message: z.string() })).meta({ description: 'what stops a close now; empty when it could close' }),
    reconciliations: z.array(z.object({ id: z.string(), bankId: z.string(), unresolved: z.number() })),
    history: z.array(z.object({ action: z.enum(['close', 'reopen']), reason: z.string().nullable(), by: z.string(), role: z.string(), at: z.string() })),
  })
  .meta({ id: 'AccountingPeriod' });

const quarterParam = z.object({ quarter: quarterSchema });

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
      return { status: 200, body: await financeCall(() => periodView(deps.db, params.quarter, todayOf(deps))) };
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
      const view = await financeCall(() => closeQuarter(deps.db, { quarter: params.quarter, actor: actorOf(user), reason: body.reason, requestId, today: todayOf(deps) }));
      return { status: 200, body: view };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/periods/:quarter/reopen',
    tag: 'finance',
    summary: 'Reopen a closed quarter (finance approver, with a reason; audited)',
    auth: ['finance_approver'],
    idempotent: true,
    params: quarterParam,
    body: z.object({ reason: z.string().trim().min(3).max(2000) }).strict(),
    responses: { 200: { description: 'Open again', schema: periodSchema } },
    async handler({ params, body, deps, user, requestId }) {
      const view = await financeCall(() => reopenQuarter(deps.db, { quarter: params.quarter, actor: actorOf(user), reason: body.reason, requestId, today: todayOf(deps) }));
      return { status: 200, body: view };
    },
  });
}
