import { z } from 'zod';
import type { Knex } from 'knex';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { hashPassword } from '../auth/passwords';
import { changeUser, createOfficer, publicUser, DuplicateError, UserChangeRefused } from '../../db/repositories/users';
import { audit } from '../../db/repositories/audit';
import { roleSchema, type Role } from '../../domain/enums';
import { userSchema } from './auth';
import { actorOf } from '../actor';

/** Which organisation type each officer role belongs to. */
const orgTypeOfRole: Partial<Record<Role, string>> = {
  training_officer: 'training_institution',
  community_officer: 'community',
  guarantee_reviewer: 'guarantee_company',
  guarantee_approver: 'guarantee_company',
  bank_officer: 'bank',
  finance_officer: 'finance_bureau',
  finance_approver: 'finance_bureau',
  auditor: 'finance_bureau',
};

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

/** An officer's organisation must exist and be of their role's type; others have none. */
async function checkOrgForRole(db: Knex, role: Role, orgId: string | undefined): Promise<void> {
  const wantType = orgTypeOfRole[role];
  if (wantType) {
    if (!orgId) throw new ApiError('VALIDATION_FAILED', 'orgId is required for this role', [{ path: 'orgId', message: `required for role ${role}` }]);
    const org = await db('organisations').where({ id: orgId }).first();
    if (!org) throw new ApiError('VALIDATION_FAILED', 'orgId does not exist', [{ path: 'orgId', message: 'no such organisation' }]);
    if (org.type !== wantType) {
      throw new ApiError('VALIDATION_FAILED', `role ${role} belongs to a ${wantType}`, [{ path: 'orgId', message: `must be a ${wantType}, not a ${org.type}` }]);
    }
  } else if (orgId) {
    throw new ApiError('VALIDATION_FAILED', `role ${role} belongs to no organisation`, [{ path: 'orgId', message: 'must be omitted for this role' }]);
  }
}

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
      await checkOrgForRole(deps.db, body.role, body.orgId);
      const password_hash = await hashPassword(body.password);
      try {
        const created = await createOfficer(
          deps.db,
          user.id,
          { username: body.username, password_hash, role: body.role, org_id: body.orgId ?? null, name: body.name ?? null },
          { requestId, clientRequestId: clientRequestId ?? null },
        );
        return { status: 201, body: publicUser(created) };
      } catch (e) {
        if (e instanceof DuplicateError) throw new ApiError('CONFLICT', e.message, [{ path: e.field, message: e.message }]);
        if (e instanceof UserChangeRefused) throw new ApiError(e.reason === 'not_admin' ? 'FORBIDDEN' : 'UNPROCESSABLE', e.message);
        throw e;
      }
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
      const current = await deps.db('users').where({ id: params.id }).first();
      if (!current) throw new ApiError('NOT_FOUND', `user ${params.id} not found`);
      if (current.role === 'applicant' && body.role) throw new ApiError('VALIDATION_FAILED', 'applicants keep their role', [{ path: 'role', message: 'cannot change an applicant' }]);
      const role = (body.role ?? current.role) as Role;
      const orgId = body.orgId === undefined ? current.org_id : body.orgId;
      await checkOrgForRole(deps.db, role, orgId ?? undefined);
      try {
        // The database's admin path (db/repositories/users.ts): the change and its audit row in one call.
        const updated = await changeUser(deps.db, user.id, params.id, { role, orgId, active: body.active }, { requestId, clientRequestId });
        return { status: 200, body: publicUser(updated) };
      } catch (e) {
        if (!(e instanceof UserChangeRefused)) throw e;
        if (e.reason === 'last_admin') throw new ApiError('UNPROCESSABLE', e.message, [{ path: body.active === false ? 'active' : 'role', message: 'the last active admin must stay an active admin' }]);
        if (e.reason === 'not_found') throw new ApiError('NOT_FOUND', `user ${params.id} not found`);
        if (e.reason === 'applicant_role') throw new ApiError('VALIDATION_FAILED', e.message, [{ path: 'role', message: e.message }]);
        throw new ApiError('FORBIDDEN', e.message);
      }
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
      const rows = await deps.db('users').orderBy('username');
      return { status: 200, body: rows.map(publicUser) };
    },
  });
}
