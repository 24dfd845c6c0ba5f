import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf } from './env';
import { findFund, type Fund } from '../../db/ledger';
import type { AuditActor } from '../../db/repositories/audit';
import type { Programme } from '../../domain/programmes';
import { createFund } from '../../usecases/funds';

/**
 * A finance officer of the bureau: the demo's fin-officer when it is theirs, else an account the
 * schema's owner makes for the test (as the demo seed makes its officers).
 */
export async function financeOfficerOf(db: Knex, bureauId: string): Promise<AuditActor> {
  const found = await db('users').where({ org_id: bureauId, role: 'finance_officer', active: true }).orderBy('username').first();
  const u = found ?? (await adminOf(db)('users').insert({ username: `fin-${randomUUID()}`, password_hash: 'x', role: 'finance_officer', org_id: bureauId }).returning('*'))[0];
  return { userId: u.id, username: u.username, role: u.role, orgId: u.org_id };
}

/**
 * The bureau's fund of a programme for a year, opened through the use case the API calls (never a
 * direct insert); the one that exists when it was opened already. It has no budget.
 */
export async function openFund(db: Knex, o: { bureauId: string; year: number; programme?: Programme; name?: string }): Promise<Fund> {
  const programme = o.programme ?? 'interest_subsidy';
  const existing = await findFund(db, o.bureauId, o.year, programme);
  if (existing) return existing;
  const actor = await financeOfficerOf(db, o.bureauId);
  await createFund({ db }, { programme, year: o.year, name: o.name ?? `Special fund ${o.year}`, actor, requestId: null });
  return (await findFund(db, o.bureauId, o.year, programme))!;
}
