import type { RecordsDeps } from './deps';
import { listAudit } from '../db/repositories/audit';
import { addDays } from '../domain/dates';
import { businessDayStartMs } from '../domain/loan-calendar';

/** What the auditor filters the trail by; dates are business dates (China time), both inclusive. */
export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

/** The audit trail as the auditor reads it: who did what to which record, when and why. */
export async function auditTrail(deps: RecordsDeps, q: AuditQuery) {
  const { rows, total } = await listAudit(deps.db, {
    ...q,
    from: q.from ? new Date(businessDayStartMs(q.from)) : undefined,
    to: q.to ? new Date(businessDayStartMs(addDays(q.to, 1))) : undefined,
  });
  return {
    total,
    items: rows.map((r) => ({
      id: Number(r.id),
      at: r.at.toISOString(),
      actor: { username: r.actor_username, role: r.actor_role, orgId: r.actor_org_id },
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      reason: r.reason,
      requestId: r.request_id,
      clientRequestId: r.client_request_id,
      payload: r.payload ?? null,
    })),
  };
}
