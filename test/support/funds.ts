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

let claimQuarters = 0;

/** A quarter no test claims (1000Q1, 1000Q2, ...): a claim row written for a test holds it while live. */
export function freshQuarter(): string {
  const n = claimQuarters++;
  return `${1000 + (Math.floor(n / 4) % 8000)}Q${(n % 4) + 1}`;
}

/**
 * An interest-subsidy claim as its approval leaves it just before the payout: CHECKED, with a
 * checker and an approver of the bureau. The ledger pays a fund's money out only to such a claim,
 * of its bank and total (docs/ledger.md). Written straight by the schema's owner with the triggers
 * off, as the workflow's later step leaves it; it covers no accrual and, unless told, holds a
 * quarter of its own (a bank has one live claim a quarter).
 */
export async function approvedSubsidyClaim(db: Knex, o: { bankId: string; bureauId: string; total: string; quarter?: string }): Promise<string> {
  const { officer, approver } = await deciders(db, o.bureauId);
  const id = randomUUID();
  await insertAsOwner(db, 'subsidy_claims', {
    id, bank_id: o.bankId, quarter: o.quarter ?? freshQuarter(), workflow_id: `subsidy-claim-approved-${id}`,
    status: 'CHECKED', late: false, total: o.total, filed_on: '2026-01-01', filed_by: officer, checked_by: officer,
    approved_by: approver, seqs: 'empty', line_count: 0,
  });
  return id;
}

/** A finance officer of the bureau and its approver (made when it has none): a claim's maker and checker. */
async function deciders(db: Knex, bureauId: string): Promise<{ officer: string; approver: string }> {
  const officer = (await financeOfficerOf(db, bureauId)).userId;
  const approver =
    (await db('users').where({ org_id: bureauId, role: 'finance_approver', active: true }).orderBy('username').first('id')) ??
    (await adminOf(db)('users').insert({ username: `fin-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: bureauId }).returning('id'))[0];
  return { officer, approver: approver.id };
}

/** A row written straight by the schema's owner with the triggers off: a state a workflow's later step leaves. */
async function insertAsOwner(db: Knex, table: string, row: Record<string, unknown>): Promise<void> {
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx(table).insert(row);
  });
}

/**
 * A training claim (base part) as its approval leaves it just before the payout: CHECKED, with a
 * checker and the bureau's approver as its decider. Written straight by the schema's owner with
 * the triggers off (institution and policy need not exist), for tests of a fund's postings.
 */
export async function approvedTrainingClaim(db: Knex, o: { bureauId: string; amount: string }): Promise<string> {
  const { officer, approver } = await deciders(db, o.bureauId);
  const id = randomUUID();
  await insertAsOwner(db, 'training_claims', {
    id, workflow_id: `training-claim-${id}`, institution_id: randomUUID(), part: 'base', course: 'SYB', class_ref: `TEST-${id}`, enrolled: 1,
    policy_id: randomUUID(), status: 'CHECKED', amount: o.amount, filed_by: officer, filed_on: '2026-01-01', checker_role: 'labour_officer',
    checked_by: officer, check_decision: 'accept', decided_by: approver,
  });
  return id;
}
