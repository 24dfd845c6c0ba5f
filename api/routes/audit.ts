import { z } from 'zod';
import type { ApiRouter } from '../route';
import { pageOf, pageQuery, routeKinds } from '../route-kinds';
import { isoDateSchema } from '../../domain/date-schemas';
import { visibleText } from '../../domain/text-schemas';
import { AUDIT_ENTITY_TYPES, auditTrail } from '../../usecases/audit';

// Search terms come back in the console's filter fields and the address: shown as typed.
const text = (max: number, description: string) => visibleText(z.string().trim().min(1).max(max)).optional().meta({ description });

const auditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string().meta({ description: 'ISO 8601' }),
    actor: z.object({
      username: z.string().meta({ description: '"system" for a deadline or an automatic step' }),
      role: z.string(),
      orgId: z.string().nullable(),
    }),
    action: z.string().meta({ description: 'e.g. application.submit, subsidy_claim.check.approve, period.close' }),
    entityType: z.string(),
    entityId: z.string(),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
    clientRequestId: z.string().nullable(),
    payload: z.unknown().meta({ description: 'what the action recorded beside the row (JSON), or null' }),
  })
  .meta({ id: 'AuditEntry' });

export function auditRoutes(api: ApiRouter): void {
  routeKinds(api, 'audit').read('/v1/audit-log', {
    summary: 'The audit trail, newest first, filtered by record, person, action and date (auditor)',
    description:
      'Every recorded decision and change, as written in the same transaction as the change. Read-only for everyone: ' +
      'the table refuses UPDATE and DELETE. `action` matches an action or the start of one up to a dot ' +
      '(`subsidy_claim` finds every claim action); `from` and `to` are business dates (China time), both inclusive.',
    // The auditor's alone: the admin keeps accounts and registries, and reads its own work here no more than any other officer.
    auth: ['auditor'],
    query: pageQuery({
      entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
      entityId: text(100, 'the record: an application, loan or claim id, a quarter such as 2027Q1, a certificate number'),
      actor: text(100, 'a username, exactly ("system" for the system itself)'),
      action: text(100, 'an action, or its first parts up to a dot'),
      from: isoDateSchema.optional(),
      to: isoDateSchema.optional(),
    }).refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must be on or after from' }),
    reply: { description: 'A page of the trail', schema: pageOf(auditEntrySchema) },
    load: async ({ query, deps }) => {
      const { items, total } = await auditTrail(deps, query);
      return { items, page: query.page, pageSize: query.pageSize, total };
    },
  });
}
