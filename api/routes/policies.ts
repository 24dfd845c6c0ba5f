import { z } from 'zod';
import type { ApiRouter } from '../route';
import { audit } from '../../db/repositories/audit';
import { policyParamsSchema } from '../../domain/policy';
import { isoDateSchema } from '../../domain/dates';
import { actorOf } from '../actor';

const policyVersionSchema = z
  .object({ id: z.string(), effectiveFrom: z.string(), params: policyParamsSchema, createdAt: z.string() })
  .meta({ id: 'PolicyVersion' });

const newPolicySchema = z.object({ effectiveFrom: isoDateSchema, params: policyParamsSchema }).strict().meta({ id: 'NewPolicyVersion' });

const view = (r: { id: string; effective_from: string; params: unknown; created_at: Date }) => ({
  id: r.id,
  effectiveFrom: r.effective_from,
  params: r.params,
  createdAt: r.created_at.toISOString(),
});

export function policyRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/policies',
    tag: 'policies',
    summary: 'Policy versions, newest first',
    description: 'The version in force on a day is the one with the latest effectiveFrom on or before it (the newest among equals).',
    auth: 'signed-in',
    responses: { 200: { description: 'Versions', schema: z.array(policyVersionSchema) } },
    async handler({ deps }) {
      const rows = await deps.db('policies').orderBy([{ column: 'effective_from', order: 'desc' }, { column: 'seq', order: 'desc' }]);
      return { status: 200, body: rows.map(view) };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/policies',
    tag: 'policies',
    summary: 'Add a policy version',
    description: 'Applications keep the version in force on the day they were submitted; a new version never changes them.',
    auth: ['admin'],
    idempotent: true,
    body: newPolicySchema,
    responses: { 201: { description: 'Created', schema: policyVersionSchema } },
    async handler({ body, deps, user, requestId }) {
      const row = await deps.db.transaction(async (trx) => {
        const [p] = await trx('policies')
          .insert({ effective_from: body.effectiveFrom, params: JSON.stringify(body.params), created_by: user.id })
          .returning('*');
        await audit(trx, { actor: actorOf(user), action: 'policy.create', entityType: 'policy', entityId: p.id, requestId, payload: body });
        return p;
      });
      return { status: 201, body: view(row) };
    },
  });
}
