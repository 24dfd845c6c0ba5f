import { z } from 'zod';
import type { ApiRouter } from '../route';
import { organisationTypeSchema } from '../../domain/enums';
import { createOrganisation, listOrganisations } from '../../usecases/registry';

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
      return { status: 200, body: await listOrganisations(deps, query) };
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
    async handler({ body, deps, user, requestId, clientRequestId }) {
      return { status: 201, body: await createOrganisation(deps, user, body, { requestId, clientRequestId }) };
    },
  });
}
