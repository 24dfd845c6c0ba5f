import type { Knex } from 'knex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DomainError } from '../../domain/errors';

/**
 * What an HTTP request adds to every audit row written while serving it: the caller's own
 * X-Request-Id. Ambient, like the request's logger, so the repositories a handler calls record
 * it without each passing it on; rows written by workflow activities get it from the decision's
 * meta instead (AuditEntry.clientRequestId).
 */
const requestContext = new AsyncLocalStorage<{ clientRequestId: string | null }>();

export function inRequest<T>(context: { clientRequestId: string | null }, fn: () => Promise<T>): Promise<T> {
  return requestContext.run(context, fn);
}

export interface AuditActor {
  userId: string;
  username: string;
  role: string;
  orgId: string | null;
}

/**
 * Who took a step, as the columns of a history row (loan events, application history): the system
 * itself when no one did.
 */
export function stepActorColumns(actor: { userId: string; username: string; role: string } | null | undefined) {
  return { by_user_id: actor?.userId ?? null, by_username: actor?.username ?? 'system', role: actor?.role ?? 'system' };
}

/**
 * Every kind of record an audit row names: the writers here are typed by it, and the audit
 * trail's filter (api/routes/audit.ts) offers exactly these. The schema's own functions write
 * 'accounting_period', 'fund' and 'user' (period_close, fund_top_up_approve, loanflow_create_user).
 */
export const AUDIT_ENTITY_TYPES = [
  'accounting_period', 'application', 'certificate', 'fund', 'incubated_enterprise', 'incubator', 'incubator_reward', 'integrity_record', 'loan',
  'organisation', 'policy', 'reconciliation', 'subsidy_claim', 'training_claim', 'user',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export interface AuditEntry {
  /** null: the system itself (a deadline, an automatic check). */
  actor: AuditActor | null;
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  reason?: string | null;
  /** Ours (api/request-id.ts): a UUID. */
  requestId?: string | null;
  /** The caller's own X-Request-Id, sanitised; defaults to the one of the request being served. */
  clientRequestId?: string | null;
  payload?: unknown;
  /** When set, a second write with the same key is a no-op (retried activities). */
  key?: string;
  at?: string | Date;
}

/**
 * One audit row; callers write it in the same transaction as the change it explains. A person who
 * acts must be an active user with the role and organisation the row names: a decision that reached
 * a workflow some other way than the API (a forged update) names someone who is not, and is refused
 * with the change it would explain (docs/security.md).
 */
export async function audit(trx: Knex | Knex.Transaction, a: AuditEntry): Promise<void> {
  if (a.actor) {
    const u = await trx('users').where({ id: a.actor.userId }).first('role', 'org_id', 'active');
    if (!u || !u.active || u.role !== a.actor.role || (u.org_id ?? null) !== (a.actor.orgId ?? null)) {
      throw new DomainError('FORBIDDEN', `${a.action}: the acting user is not an active ${a.actor.role} of that organisation`);
    }
  }
  const insert = trx('audit_log').insert({
    ...(a.at ? { at: a.at } : {}),
    actor_user_id: a.actor?.userId ?? null,
    actor_username: a.actor?.username ?? 'system',
    actor_role: a.actor?.role ?? 'system',
    actor_org_id: a.actor?.orgId ?? null,
    action: a.action,
    entity_type: a.entityType,
    entity_id: a.entityId,
    reason: a.reason ?? null,
    request_id: a.requestId ?? null,
    client_request_id: a.clientRequestId !== undefined ? a.clientRequestId : (requestContext.getStore()?.clientRequestId ?? null),
    payload: a.payload === undefined ? null : JSON.stringify(a.payload),
    idempotency_key: a.key ?? null,
  });
  await (a.key ? insert.onConflict('idempotency_key').ignore() : insert);
}

/**
 * Whether the trail holds `action` on the entity by this user since a moment (timestamptz as
 * text), with this reason when one is named: who made a record that keeps no maker of its own (an
 * organisation, a fund, a user), or who made a change.
 */
export async function auditedSince(db: Knex, a: { action: string; entityType: AuditEntityType; entityId: string; userId: string; since: string; reason?: string }): Promise<boolean> {
  const row = await db('audit_log')
    .where({ action: a.action, entity_type: a.entityType, entity_id: a.entityId, actor_user_id: a.userId, ...(a.reason !== undefined ? { reason: a.reason } : {}) })
    .andWhere('at', '>=', a.since)
    .first('id');
  return row !== undefined;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor_username: string;
  actor_role: string;
  actor_org_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  reason: string | null;
  request_id: string | null;
  client_request_id: string | null;
  payload: unknown;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  /** The acting user's username, exactly ("system" for the system itself). */
  actor?: string;
  /** An action, or the start of one up to a dot: `subsidy_claim` matches `subsidy_claim.check.approve`. */
  action?: string;
  /** Instants: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/** The audit trail, newest first, filtered; ids ascend with time, so the primary key orders it. */
export async function listAudit(db: Knex, f: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
  const base = db('audit_log');
  if (f.entityType) base.where('entity_type', f.entityType);
  if (f.entityId) base.where('entity_id', f.entityId);
  if (f.actor) base.where('actor_username', f.actor);
  if (f.action) {
    const prefix = f.action.replace(/[\\%_]/g, (c) => `\\${c}`);
    base.where((w) => w.where('action', f.action!).orWhereRaw("action like ? escape '\\'", [`${prefix}.%`]));
  }
  if (f.from) base.where('at', '>=', f.from);
  if (f.to) base.where('at', '<', f.to);
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const rows = await base
    .clone()
    .select('id', 'at', 'actor_username', 'actor_role', 'actor_org_id', 'action', 'entity_type', 'entity_id', 'reason', 'request_id', 'client_request_id', 'payload')
    .orderBy('id', 'desc')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}
