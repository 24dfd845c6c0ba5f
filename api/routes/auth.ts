import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { hashPassword, verifyPasswordOrDummy } from '../auth/passwords';
import { issueToken } from '../auth/tokens';
import { currentUser, findSignInUser, publicUser, registerApplicant, signOutEverywhere } from '../../usecases/accounts';
import { idNumberSchema } from '../../domain/id-number-schema';
import { LoginLimiter } from '../auth/login-limits';
import { DEFAULT_REGISTER_LIMITS as REG, RegisterLimiter } from '../auth/register-limits';
import { limitCountersOf } from '../../usecases/limits';
import { visibleText } from '../../domain/text-schemas';

const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, dots, dashes or underscores');
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters');

export const loginSchema = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict().meta({ id: 'Login' });
export const registerSchema = z
  .object({
    username,
    password,
    idNumber: idNumberSchema,
    name: visibleText(z.string().trim().min(1, 'must not be empty').max(100)),
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

/** The same answer whether or not an account was made: registration does not reveal who has one. */
export const registrationReceivedSchema = z
  .object({ status: z.literal('received'), username: z.string(), message: z.string() })
  .meta({ id: 'RegistrationReceived' });

const REGISTRATION_RECEIVED =
  'Registration received. Sign in with this username and password to continue. If sign-in fails, the username ' +
  'or the ID number already has an account: choose another username, or ask the service desk about the account of your ID number.';

export function authRoutes(api: ApiRouter): void {
  const limiter = new LoginLimiter(limitCountersOf(api.deps), api.deps.loginLimits);
  const registrations = new RegisterLimiter(limitCountersOf(api.deps), api.deps.registerLimits);

  api.add({
    method: 'post',
    path: '/v1/auth/login',
    tag: 'auth',
    summary: 'Sign in; returns a bearer token',
    description:
      'The same 401 for an unknown username, a wrong password and a deactivated account. After 5 failed attempts for a username from ' +
      'one address, each further attempt from there waits 1, 2, 4, 8, then 15 minutes (guesses from elsewhere do not lock the user out). ' +
      'After 100 failed attempts for a username in an hour, from all addresses together, addresses that have not signed that user in ' +
      'within 30 days wait out the hour. An address with 100 failed attempts in an hour waits 15 minutes. All answer 429 with ' +
      'Retry-After (seconds) and a message saying how many minutes. A successful sign-in clears the count of its username and address.',
    auth: 'public',
    body: loginSchema,
    responses: {
      200: { description: 'Signed in', schema: z.object({ token: z.string(), expiresIn: z.number(), user: userSchema }) },
      429: { description: 'Too many failed sign-ins: wait Retry-After seconds' },
    },
    async handler({ req, body, deps }) {
      const user = await limiter.attempt(body.username, req.ip, async () => {
        const found = await findSignInUser(deps, body.username);
        // Argon2 work for every attempt, known user or not (verifyPasswordOrDummy).
        const ok = await verifyPasswordOrDummy(found?.password_hash, body.password);
        return ok && found && found.active ? found : null;
      });
      // Same answer for an unknown user, a wrong password and a deactivated account.
      if (!user) throw new ApiError('UNAUTHENTICATED', 'username or password is wrong');
      const token = await issueToken(
        deps.jwtSecret,
        { sub: user.id, username: user.username, role: user.role, orgId: user.org_id, tokenVersion: user.token_version },
        deps.tokenTtlSeconds,
      );
      return { status: 200, body: { token, expiresIn: deps.tokenTtlSeconds, user: publicUser(user) } };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/auth/logout',
    tag: 'auth',
    summary: 'Sign out everywhere: every token issued to you so far stops working',
    auth: 'signed-in',
    responses: { 204: { description: 'Signed out' } },
    async handler({ user, deps, requestId, clientRequestId }) {
      await signOutEverywhere(deps, user, { requestId, clientRequestId });
      return { status: 204, body: undefined };
    },
  });

  api.add({
    method: 'post',
    path: '/v1/auth/register',
    tag: 'auth',
    summary: 'Create an applicant account',
    description:
      'Always 202 with the same body, whether the account was made or the username or ID number already has one (then nothing ' +
      'is made and the audit trail records the refusal): the answer does not tell anyone which usernames or ID numbers are registered. ' +
      'The applicant learns the outcome by signing in. Every attempt counts against its address ' +
      `(${REG.perAddress} in ${REG.addressWindowSeconds / 60} minutes) and all addresses together (${REG.overall} in ` +
      `${REG.overallWindowSeconds} seconds); past either, 429 with Retry-After (seconds) and a message naming the limit, and nothing is made.`,
    auth: 'public',
    body: registerSchema,
    responses: {
      202: { description: 'Received (made, or refused without saying so)', schema: registrationReceivedSchema },
      429: { description: 'Too many registrations from this address or overall: wait Retry-After seconds' },
    },
    async handler({ req, body, deps, requestId }) {
      // Before the Argon2 hash: a refused attempt costs no hashing.
      await registrations.take(req.ip);
      const { password, ...person } = body;
      await registerApplicant(deps, { ...person, passwordHash: await hashPassword(password) }, { requestId });
      return { status: 202, body: { status: 'received', username: body.username, message: REGISTRATION_RECEIVED } };
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
      return { status: 200, body: await currentUser(deps, user) };
    },
  });
}
