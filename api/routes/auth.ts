import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { issueToken } from '../auth/tokens';
import { findUserByUsername, insertUser, publicUser, DuplicateError } from '../../db/repositories/users';
import { audit } from '../../db/repositories/audit';
import { idNumberSchema } from '../../domain/id-number';

const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, dots, dashes or underscores');
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters');

export const loginSchema = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict().meta({ id: 'Login' });
export const registerSchema = z
  .object({
    username,
    password,
    idNumber: idNumberSchema,
    name: z.string().trim().min(1, 'must not be empty').max(100),
    phone: z.string().regex(/^1\d{10}$/, 'must be an 11-digit mainland mobile number starting with 1'),
  })
  .strict()
  .meta({ id: 'Registration' });

export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.string(),
    orgId: z.string().nullable(),
    name: z.string().nullable(),
    idNumber: z.string().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'User' });

export function authRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/auth/login',
    tag: 'auth',
    summary: 'Sign in; returns a bearer token',
    auth: 'public',
    body: loginSchema,
    responses: { 200: { description: 'Signed in', schema: z.object({ token: z.string(), user: userSchema }) } },
    async handler({ body, deps }) {
      const user = await findUserByUsername(deps.db, body.username);
      // Same answer for an unknown user and a wrong password: no user enumeration.
      if (!user || !user.active || !(await verifyPassword(user.password_hash, body.password))) {
        throw new ApiError('UNAUTHENTICATED', 'username or password is wrong');
      }
      const token = await issueToken(deps.jwtSecret, { sub: user.id, username: user.username, role: user.role, orgId: user.org_id }, deps.tokenTtlSeconds);
      return { status: 200, body: { token, expiresIn: deps.tokenTtlSeconds, user: publicUser(user) } };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/auth/register',
    tag: 'auth',
    summary: 'Create an applicant account',
    auth: 'public',
    body: registerSchema,
    responses: { 201: { description: 'Account created', schema: userSchema } },
    async handler({ body, deps, requestId }) {
      const password_hash = await hashPassword(body.password);
      try {
        const user = await deps.db.transaction(async (trx) => {
          const u = await insertUser(trx, {
            username: body.username, password_hash, role: 'applicant', org_id: null,
            id_number: body.idNumber, name: body.name, phone: body.phone,
          });
          await audit(trx, {
            actor: { userId: u.id, username: u.username, role: u.role, orgId: null },
            action: 'user.register', entityType: 'user', entityId: u.id, requestId,
          });
          return u;
        });
        return { status: 201, body: publicUser(user) };
      } catch (e) {
        if (e instanceof DuplicateError) throw new ApiError('CONFLICT', e.message, [{ path: e.field, message: e.message }]);
        throw e;
      }
    },
  });

  api.add({
    method: 'get',
    path: '/v1/me',
    tag: 'auth',
    summary: 'The signed-in user',
    auth: 'signed-in',
    responses: { 200: { description: 'The user', schema: userSchema } },
    async handler({ user, deps }) {
      const row = await deps.db('users').where({ id: user.id }).first();
      return { status: 200, body: publicUser(row) };
    },
  });
}
