import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { TestEnv } from '../support/env';
import { createFund, type Fund } from '../../db/ledger';

/** Unique per call, so tests never depend on a clean (shared) database. */
export function uniqueKey(prefix = 'test'): string {
  return `${prefix}:${randomUUID()}`;
}

export type OrgType = 'bank' | 'finance_bureau' | 'guarantee_company';

export async function createOrg(db: Knex, type: OrgType): Promise<string> {
  const id = randomUUID();
  await db('organisations').insert({ id, type, name: `ledger-test ${type} ${id}`, region: 'test' });
  return id;
}

export interface FundFixture {
  fund: Fund;
  bureauId: string;
  bankId: string;
}

export async function createFundFixture(db: Knex, year = 2027): Promise<FundFixture> {
  const bureauId = await createOrg(db, 'finance_bureau');
  const bankId = await createOrg(db, 'bank');
  const fund = await createFund(db, { year, financeBureauOrgId: bureauId, name: `Special fund ${year}` });
  return { fund, bureauId, bankId };
}

/**
 * A database of its own, migrated, connected as the application's role: for tests that close
 * quarters or need a known ledger. `adminOf(db)` (support/env.ts) is its owner, for tampering.
 */
export async function privateDb(env: TestEnv, prefix: string): Promise<Knex> {
  return (await env.newDatabase(prefix)).db;
}

/** Resolves when `pred` holds (polling a condition, not sleeping for a guessed time). */
export async function until(pred: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await pred())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
