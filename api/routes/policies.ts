import { z } from 'zod';
import type { ApiRouter } from '../route';
import { policyParamsSchema } from '../../domain/policy';
import { isoDateSchema } from '../../domain/date-schemas';
import { addPolicy, listPolicies } from '../../usecases/registry';

const policyVersionSchema = z
  .object({ id: z.string(), effectiveFrom: z.string(), params: policyParamsSchema, createdAt: z.string() })
  .meta({ id: 'PolicyVersion' });

const newPolicySchema = z.object({ effectiveFrom: isoDateSchema, params: policyParamsSchema }).strict().meta({ id: 'NewPolicyVersion' });

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
      return { status: 200, body: await listPolicies(deps) };
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
    async handler({ body, deps, user, requestId, clientRequestId }) {
      return { status: 201, body: await addPolicy(deps, user, body, { requestId, clientRequestId }) };
    },
  });
}
