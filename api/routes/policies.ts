import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { policyParamsSchema } from '../../domain/policy';
import { isoDateSchema } from '../../domain/date-schemas';
import { addPolicy, listPolicies } from '../../usecases/registry';

const policyVersionSchema = z
  .object({ id: z.string(), effectiveFrom: z.string(), params: policyParamsSchema, createdAt: z.string() })
  .meta({ id: 'PolicyVersion' });

const newPolicySchema = z.object({ effectiveFrom: isoDateSchema, params: policyParamsSchema }).strict().meta({ id: 'NewPolicyVersion' });

export function policyRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'policies');
  route.page('/v1/policies', {
    summary: 'Policy versions, newest first',
    description: 'The version in force on a day is the one with the latest effectiveFrom on or before it (the newest among equals).',
    auth: 'signed-in',
    filters: {},
    item: policyVersionSchema,
    itemsDescription: 'A page of versions',
    list: ({ query, deps }) => listPolicies(deps, query),
  });

  route.create('/v1/policies', {
    summary: 'Add a policy version',
    description: 'Applications keep the version in force on the day they were submitted; a new version never changes them.',
    auth: ['admin'],
    body: newPolicySchema,
    reply: { description: 'Created', schema: policyVersionSchema },
    make: ({ body, deps, user }, r) => addPolicy(deps, user, body, r),
  });
}
