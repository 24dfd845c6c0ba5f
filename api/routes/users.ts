import { z } from 'zod';
import type { ApiRouter } from '../route';
import { hashPassword } from '../auth/passwords';
import { changeUser, createOfficer, listUsers } from '../../usecases/accounts';
import { roleSchema } from '../../domain/enums';
import { userSchema } from './auth';

const newUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, dots, dashes or underscores'),
    password: z.string().min(8, 'must be at least 8 characters').max(200),
    role: roleSchema.refine((r) => r !== 'applicant', { message: 'applicants register themselves at POST /v1/auth/register' }),
    orgId: z.uuid({ message: 'must be a UUID' }).optional(),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: 'NewUser' });

export function userRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/users',
    tag: 'admin',
    summary: "Create an officer's account",
    auth: ['admin'],
    idempotent: true,
    body: newUserSchema,
    responses: { 201: { description: 'Created', schema: userSchema } },
    async handler({ body, deps, user, requestId, clientRequestId }) {
      const { password, ...account } = body;
      return { status: 201, body: await createOfficer(deps, user, account, () => hashPassword(password), { requestId, clientRequestId }) };
    },
  });

  api.add({
    method: 'patch',
    path: '/v1/users/:id',
    tag: 'admin',
    summary: "Change an officer's role or organisation, or (de)activate an account",
    description:
      'Past decisions keep the role the person had when deciding; maker–checker compares people, not roles. ' +
      'Deactivating revokes every token of the account (a later reactivation does not revive them). ' +
      'The last active admin cannot be deactivated or demoted (422).',
    auth: ['admin'],
    idempotent: true,
    params: z.object({ id: z.uuid({ message: 'must be a UUID' }) }),
    body: z
      .object({
        role: roleSchema.refine((r) => r !== 'applicant', { message: 'an officer cannot become an applicant' }).optional(),
        orgId: z.uuid({ message: 'must be a UUID' }).nullable().optional(),
        active: z.boolean().optional(),
      })
      .strict()
      .meta({ id: 'UserChange' }),
    responses: { 200: { description: 'Changed', schema: userSchema } },
    async handler({ params, body, deps, user, requestId, clientRequestId }) {
      return { status: 200, body: await changeUser(deps, user, params.id, body, { requestId, clientRequestId }) };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/users',
    tag: 'admin',
    summary: 'List accounts',
    auth: ['admin', 'auditor'],
    responses: { 200: { description: 'Users', schema: z.array(userSchema) } },
    async handler({ deps }) {
      return { status: 200, body: await listUsers(deps) };
    },
  });
}
