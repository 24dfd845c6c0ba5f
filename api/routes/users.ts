import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { changeUser, createOfficer, listUsers } from '../../usecases/accounts';
import { roleSchema } from '../../domain/enums';
import { userSchema } from './auth';
import { visibleText } from '../../domain/text-schemas';

const newUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, dots, dashes or underscores'),
    password: z.string().min(8, 'must be at least 8 characters').max(200),
    role: roleSchema.refine((r) => r !== 'applicant', { message: 'applicants register themselves at POST /v1/auth/register' }),
    orgId: z.uuid({ message: 'must be a UUID' }).optional(),
    name: visibleText(z.string().trim().min(1).max(100)).optional(),
  })
  .strict()
  .meta({ id: 'NewUser' });

export function userRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'admin');
  route.create('/v1/users', {
    summary: "Create an officer's account",
    auth: ['admin'],
    body: newUserSchema,
    reply: { description: 'Created', schema: userSchema },
    make: ({ body: { password, ...account }, deps, user }, r) =>
      createOfficer(deps, user, account, { hash: () => hashPassword(password), matches: (stored) => verifyPassword(stored, password) }, r),
  });

  route.decide('/v1/users/:id', {
    method: 'patch',
    summary: "Change an officer's role or organisation, or (de)activate an account",
    description:
      'Past decisions keep the role the person had when deciding; maker–checker compares people, not roles. ' +
      'Deactivating revokes every token of the account (a later reactivation does not revive them). ' +
      'The last active admin cannot be deactivated or demoted (422).',
    auth: ['admin'],
    body: z
      .object({
        role: roleSchema.refine((r) => r !== 'applicant', { message: 'an officer cannot become an applicant' }).optional(),
        orgId: z.uuid({ message: 'must be a UUID' }).nullable().optional(),
        active: z.boolean().optional(),
      })
      .strict()
      .meta({ id: 'UserChange' }),
    reply: { description: 'Changed', schema: userSchema },
    run: ({ params, body, deps, user }, r) => changeUser(deps, user, params.id, body, r),
  });

  route.page('/v1/users', {
    summary: 'Accounts, by username',
    auth: ['admin', 'auditor'],
    filters: {},
    item: userSchema,
    itemsDescription: 'A page of accounts',
    list: ({ query, deps }) => listUsers(deps, query),
  });
}
