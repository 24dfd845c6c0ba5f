import type { Knex } from 'knex';

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
}

export function publicUser(u: UserRow) {
  return { id: u.id, username: u.username, role: u.role, orgId: u.org_id, name: u.name, idNumber: u.id_number, active: u.active };
}

export function findUserByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  return db('users').where({ username }).first();
}

export type NewUser = Omit<UserRow, 'id' | 'active'>;

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
