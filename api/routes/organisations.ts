import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { organisationTypeSchema } from '../../domain/enums';
import { createOrganisation, listOrganisations } from '../../usecases/registry';
import { visibleText } from '../../domain/text-schemas';

export const organisationSchema = z
  .object({ id: z.string(), type: organisationTypeSchema, name: z.string(), region: z.string() })
  .meta({ id: 'Organisation' });

const newOrganisationSchema = z
  .object({
    type: organisationTypeSchema,
    name: visibleText(z.string().trim().min(1, 'must not be empty').max(200)),
    region: visibleText(z.string().trim().min(1, 'must not be empty').max(100)),
  })
  .strict()
  .meta({ id: 'NewOrganisation' });

export function organisationRoutes(api: ApiRouter): void {
  routeKinds(api, 'organisations').page('/v1/organisations', {
    summary: 'Organisations, optionally of one type, by type then name',
    auth: 'signed-in',
    filters: { type: organisationTypeSchema.optional() },
    item: organisationSchema,
    itemsDescription: 'A page of organisations',
    list: ({ query, deps }) => listOrganisations(deps, query),
  });

  routeKinds(api, 'admin').create('/v1/organisations', {
    summary: 'Register an organisation',
    auth: ['admin'],
    body: newOrganisationSchema,
    reply: { description: 'Created', schema: organisationSchema },
    make: ({ body, deps, user }, r) => createOrganisation(deps, user, body, r),
  });
}
