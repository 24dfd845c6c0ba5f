import type { RecordsDeps } from './deps';
import { listAudit } from '../db/repositories/audit';

/** The kinds of record the trail names, kept with its writers; the API's filter offers these. */
export { AUDIT_ENTITY_TYPES } from '../db/repositories/audit';
import { addDays } from '../domain/dates';
import { businessDayStartMs } from '../domain/loan-calendar';
import { maskPersonalFields } from '../domain/masking';

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

/**
 * The audit trail as the auditor reads it: who did what to which record, when and why. ID numbers
 * and people's names in payloads are masked, as the auditor sees them in claims and certificates
 * (rows written before payloads were masked at the source hold them in full).
 */
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
      payload: maskPersonalFields(r.payload ?? null),
    })),
  };
}
