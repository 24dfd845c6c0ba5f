import type { Knex } from 'knex';
import { DomainError } from '../domain/errors';
import { orgTypeOfRole } from '../domain/roles';
import type { Role } from '../domain/enums';
import { audit, auditedSince } from '../db/repositories/audit';
import {
  DuplicateError,
  UserChangeRefused,
  changeUser as changeUserRow,
  createOfficer as createOfficerRow,
  findUserByUsername,
  insertUser,
  publicUser,
  revokeTokens,
  type UserRow,
} from '../db/repositories/users';
import { answeringOwnRetry, refusedAs, type Caller, type KeyedRequest, type RecordsDeps, type RequestIds } from './deps';

/**
 * Accounts: applicants register themselves, admins make and change officers' accounts (through the
 * database's admin path, which writes the audit row in the same call), anyone signs out everywhere.
 * Passwords arrive hashed (api/auth/passwords.ts): no use case sees one in clear.
 */

export type PublicUser = ReturnType<typeof publicUser>;

/** The account a sign-in names, if any (the API checks the password and the limits). */
export async function findSignInUser(deps: RecordsDeps, username: string): Promise<UserRow | undefined> {
  return findUserByUsername(deps.db, username);
}

export { publicUser };

export async function currentUser(deps: RecordsDeps, caller: Caller): Promise<PublicUser> {
  return publicUser(await deps.db('users').where({ id: caller.id }).first());
}

export async function listUsers(deps: RecordsDeps, p: { page: number; pageSize: number }): Promise<{ items: PublicUser[]; total: number }> {
  const [counted] = await deps.db('users').count<{ count: string }[]>('* as count');
  const rows: UserRow[] = await deps.db('users').orderBy('username').limit(p.pageSize).offset((p.page - 1) * p.pageSize);
  return { items: rows.map(publicUser), total: Number(counted?.count ?? 0) };
}

/** Signs the caller out everywhere: every token issued so far stops working. Audited. */
export async function signOutEverywhere(deps: RecordsDeps, caller: Caller, request: RequestIds): Promise<void> {
  await revokeTokens(deps.db, caller.id, request);
}

export interface Registration {
  username: string;
  passwordHash: string;
  idNumber: string;
  name: string;
  phone: string;
}

/**
 * An applicant registers. The outcome is not told to the caller (the API answers the same either
 * way): a taken username or ID number makes nothing and the audit trail records the refusal.
 */
export async function registerApplicant(deps: RecordsDeps, r: Registration, request: { requestId: string }): Promise<void> {
  try {
    await deps.db.transaction(async (trx) => {
      const u = await insertUser(trx, {
        username: r.username, password_hash: r.passwordHash, role: 'applicant', org_id: null,
        id_number: r.idNumber, name: r.name, phone: r.phone,
      });
      await audit(trx, {
        actor: { userId: u.id, username: u.username, role: u.role, orgId: null },
        action: 'user.register', entityType: 'user', entityId: u.id, requestId: request.requestId, payload: { username: u.username },
      });
    });
  } catch (e) {
    if (!(e instanceof DuplicateError)) throw e;
    const existing =
      e.field === 'username'
        ? await findUserByUsername(deps.db, r.username)
        : await deps.db('users').where({ role: 'applicant', id_number: r.idNumber }).first();
    await audit(deps.db, {
      actor: null, action: 'user.register_refused', entityType: 'user', entityId: existing?.id ?? '(unknown)', requestId: request.requestId,
      reason: `${e.field === 'username' ? 'username' : 'ID number'} already has an account`,
      payload: { username: r.username, clash: e.field },
    });
  }
}

/** An officer's organisation must exist and be of their role's type; others have none. */
async function checkOrgForRole(db: Knex, role: Role, orgId: string | undefined): Promise<void> {
  const wantType = orgTypeOfRole[role];
  if (wantType) {
    if (!orgId) throw new DomainError('VALIDATION_FAILED', 'orgId is required for this role', [{ path: 'orgId', message: `required for role ${role}` }]);
    const org = await db('organisations').where({ id: orgId }).first();
    if (!org) throw new DomainError('VALIDATION_FAILED', 'orgId does not exist', [{ path: 'orgId', message: 'no such organisation' }]);
    if (org.type !== wantType) {
      throw new DomainError('VALIDATION_FAILED', `role ${role} belongs to a ${wantType}`, [{ path: 'orgId', message: `must be a ${wantType}, not a ${org.type}` }]);
    }
  } else if (orgId) {
    throw new DomainError('VALIDATION_FAILED', `role ${role} belongs to no organisation`, [{ path: 'orgId', message: 'must be omitted for this role' }]);
  }
}

/** An admin makes an officer's (or another admin's) account. */
export async function createOfficer(
  deps: RecordsDeps,
  caller: Caller,
  u: { username: string; role: Role; orgId?: string; name?: string },
  password: {
    /** Hashes the new password: called once the input is known good. */
    hash: () => Promise<string>;
    /** Whether a stored hash is of this password (a retry that meets its own first attempt's account). */
    matches: (stored: string) => Promise<boolean>;
  },
  request: KeyedRequest,
): Promise<PublicUser> {
  await checkOrgForRole(deps.db, u.role, u.orgId);
  const hash = await password.hash();
  const create = async () => {
    try {
      const created = await createOfficerRow(
        deps.db,
        caller.id,
        { username: u.username, password_hash: hash, role: u.role, org_id: u.orgId ?? null, name: u.name ?? null },
        request,
      );
      return publicUser(created);
    } catch (e) {
      if (e instanceof DuplicateError) throw new DomainError('CONFLICT', e.message, [{ path: e.field, message: e.message }]);
      if (e instanceof UserChangeRefused) throw new DomainError(e.reason === 'not_admin' ? 'FORBIDDEN' : 'UNPROCESSABLE', e.message);
      throw e;
    }
  };
  // The account keeps no maker of its own: the admin path's audit row says who made it.
  return answeringOwnRetry(request, create, refusedAs('CONFLICT'), async (since) => {
    const held: UserRow | undefined = await deps.db('users')
      .where({ username: u.username, role: u.role, org_id: u.orgId ?? null, name: u.name ?? null, active: true, token_version: 0 })
      .andWhere('created_at', '>=', since)
      .first();
    if (!held || !(await auditedSince(deps.db, { action: 'user.create', entityType: 'user', entityId: held.id, userId: caller.id, since }))) return undefined;
    return (await password.matches(held.password_hash)) ? publicUser(held) : undefined;
  });
}

/** An admin changes a user's role or organisation, or (de)activates the account. */
export async function changeUser(
  deps: RecordsDeps,
  caller: Caller,
  userId: string,
  change: { role?: Role; orgId?: string | null; active?: boolean },
  request: KeyedRequest,
): Promise<PublicUser> {
  // A retry whose first attempt committed answers with the account as it is, and writes no second audit row.
  return answeringOwnRetry(request, () => applyUserChange(deps, caller, userId, change, request), () => false, async (since) => {
    const held: UserRow | undefined = await deps.db('users').where({ id: userId }).first();
    const asAsked =
      held !== undefined &&
      (change.role === undefined || held.role === change.role) &&
      (change.orgId === undefined || held.org_id === change.orgId) &&
      (change.active === undefined || held.active === change.active);
    if (!asAsked || !(await auditedSince(deps.db, { action: 'user.change', entityType: 'user', entityId: userId, userId: caller.id, since }))) return undefined;
    return publicUser(held);
  });
}

async function applyUserChange(
  deps: RecordsDeps,
  caller: Caller,
  userId: string,
  change: { role?: Role; orgId?: string | null; active?: boolean },
  request: RequestIds,
): Promise<PublicUser> {
  const current: UserRow | undefined = await deps.db('users').where({ id: userId }).first();
  if (!current) throw new DomainError('NOT_FOUND', `user ${userId} not found`);
  if (current.role === 'applicant' && change.role) throw new DomainError('VALIDATION_FAILED', 'applicants keep their role', [{ path: 'role', message: 'cannot change an applicant' }]);
  const role = (change.role ?? current.role) as Role;
  const orgId = change.orgId === undefined ? current.org_id : change.orgId;
  await checkOrgForRole(deps.db, role, orgId ?? undefined);
  try {
    // The database's admin path (db/repositories/users.ts): the change and its audit row in one call.
    return publicUser(await changeUserRow(deps.db, caller.id, userId, { role, orgId, active: change.active }, request));
  } catch (e) {
    if (!(e instanceof UserChangeRefused)) throw e;
    if (e.reason === 'last_admin') throw new DomainError('UNPROCESSABLE', e.message, [{ path: change.active === false ? 'active' : 'role', message: 'the last active admin must stay an active admin' }]);
    if (e.reason === 'not_found') throw new DomainError('NOT_FOUND', `user ${userId} not found`);
    if (e.reason === 'applicant_role') throw new DomainError('VALIDATION_FAILED', e.message, [{ path: 'role', message: e.message }]);
    throw new DomainError('FORBIDDEN', e.message);
  }
}
