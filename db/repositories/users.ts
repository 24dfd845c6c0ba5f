import type { Knex } from 'knex';
import { callFunction, refusedAs } from '../functions';

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  org_id: string | null;
  id_number: string | null;
  name: string | null;
  phone: string | null;
  active: boolean;
  token_version: number;
}

export function publicUser(u: UserRow) {
  return { id: u.id, username: u.username, role: u.role, orgId: u.org_id, name: u.name, idNumber: u.id_number, active: u.active };
}

export function findUserByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  return db('users').where({ username }).first();
}

export type NewUser = Omit<UserRow, 'id' | 'active' | 'token_version'>;

export class DuplicateError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Inserts a user; a taken username or ID number becomes a DuplicateError naming the field. */
export async function insertUser(trx: Knex | Knex.Transaction, u: NewUser): Promise<UserRow> {
  try {
    const [row] = await trx('users').insert(u).returning('*');
    return row;
  } catch (e) {
    const err = e as { code?: string; constraint?: string };
    if (err.code === '23505' && err.constraint === 'users_username_unique') throw new DuplicateError('username', 'username is already taken');
    if (err.code === '23505' && err.constraint === 'users_applicant_id_number') {
      throw new DuplicateError('idNumber', 'an applicant account with this ID number already exists');
    }
    throw e;
  }
}

/**
 * An admin creates an officer's (or another admin's) account: the only way one is made (the
 * database refuses any other insert of a non-applicant), audited in the same call.
 */
export async function createOfficer(
  db: Knex | Knex.Transaction,
  adminId: string,
  u: { username: string; password_hash: string; role: string; org_id: string | null; name: string | null },
  request: { requestId: string | null; clientRequestId: string | null },
): Promise<UserRow> {
  return refusing(async () => {
    try {
      const rows = await callFunction<UserRow>(db, 'select * from loanflow_create_user($1::uuid, $2, $3, $4, $5::uuid, $6, $7, $8)', [
        adminId, u.username, u.password_hash, u.role, u.org_id, u.name, request.requestId, request.clientRequestId,
      ]);
      return rows[0]!;
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint === 'users_username_unique') throw new DuplicateError('username', 'username is already taken');
      throw e;
    }
  });
}

/** Why the admin path refused a change (SQLSTATEs of 20261205000310_user_admin_path.ts). */
export class UserChangeRefused extends Error {
  constructor(
    readonly reason: 'last_admin' | 'not_admin' | 'not_found' | 'applicant_role',
    message: string,
  ) {
    super(message);
  }
}

const refusals: Record<string, UserChangeRefused['reason']> = { LU001: 'last_admin', LU002: 'not_admin', LU003: 'not_found', LU004: 'applicant_role' };

// The functions are called through the driver (callFunction), so the message is the function's own.
const refusing = <T>(run: () => Promise<T>) => refusedAs(refusals, (reason, message) => new UserChangeRefused(reason, message), run);

export interface UserChange {
  role?: string;
  /** undefined: unchanged; null: none. */
  orgId?: string | null;
  active?: boolean;
}

/**
 * An admin changes a user's role, organisation or active flag: the only way these change (the
 * database refuses any other UPDATE of users), audited in the same call. Deactivation revokes the
 * user's tokens; the last active admin cannot be deactivated or demoted.
 */
export async function changeUser(
  db: Knex | Knex.Transaction,
  adminId: string,
  userId: string,
  change: UserChange,
  request: { requestId: string | null; clientRequestId: string | null },
): Promise<UserRow> {
  return refusing(async () => {
    const rows = await callFunction<UserRow>(db, 'select * from loanflow_change_user($1::uuid, $2::uuid, $3::text, $4::boolean, $5::uuid, $6::boolean, $7::text, $8::text)', [
      adminId, userId, change.role ?? null, change.orgId !== undefined, change.orgId ?? null, change.active ?? null,
      request.requestId, request.clientRequestId,
    ]);
    return rows[0]!;
  });
}

/** Logs a user out everywhere: every token issued to them so far stops working. Audited. */
export async function revokeTokens(db: Knex, userId: string, request: { requestId: string | null; clientRequestId: string | null }): Promise<number> {
  return refusing(async () => {
    const rows = await callFunction<{ v: number }>(db, 'select loanflow_revoke_tokens($1::uuid, $2::text, $3::text) as v', [userId, request.requestId, request.clientRequestId]);
    return rows[0]!.v;
  });
}

/** Usernames by user id, for views that name people (ids missing from the answer are unknown). */
export async function usernamesOf(db: Knex | Knex.Transaction, ids: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => Boolean(i)))];
  if (wanted.length === 0) return new Map();
  const rows: Array<{ id: string; username: string }> = await db('users').whereIn('id', wanted).select('id', 'username');
  return new Map(rows.map((r) => [r.id, r.username]));
}
