import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { audit } from '../../db/repositories/audit';
import { organisationTypeSchema } from '../../domain/enums';
import { actorOf } from '../actor';

export const organisationSchema = z
  .object({ id: z.string(), type: organisationTypeSchema, name: z.string(), region: z.string() })
  .meta({ id: 'Organisation' });

const newOrganisationSchema = z
  .object({
    type: organisationTypeSchema,
    name: z.string().trim().min(1, 'must not be empty').max(200),
    region: z.string().trim().min(1, 'must not be empty').max(100),
  })
  .strict()
  .meta({ id: 'NewOrganisation' });

const view = (r: { id: string; type: string; name: string; region: string }) => ({ id: r.id, type: r.type, name: r.name, region: r.region });

export function organisationRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/organisations',
    tag: 'organisations',
    summary: 'Organisations, optionally of one type',
    auth: 'signed-in',
    query: z.object({ type: organisationTypeSchema.optional() }).strict(),
    responses: { 200: { description: 'Organisations', schema: z.array(organisationSchema) } },
    async handler({ query, deps }) {
      const q = deps.db('organisations').orderBy(['type', 'name']);
      if (query.type) q.where({ type: query.type });
      return { status: 200, body: (await q).map(view) };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/organisations',
    tag: 'admin',
    summary: 'Register an organisation',
    auth: ['admin'],
    idempotent: true,
    body: newOrganisationSchema,
    responses: { 201: { description: 'Created', schema: organisationSchema } },
    async handler({ body, deps, user, requestId }) {
      try {
        const row = await deps.db.transaction(async (trx) => {
          const [o] = await trx('organisations').insert(body).returning('*');
          await audit(trx, { actor: actorOf(user), action: 'organisation.create', entityType: 'organisation', entityId: o.id, requestId, payload: body });
          return o;
        });
        return { status: 201, body: view(row) };
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new ApiError('CONFLICT', 'an organisation with this name exists', [{ path: 'name', message: 'already used' }]);
        throw e;
      }
    },
  });
}
