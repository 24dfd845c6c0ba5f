import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf, type TestEnv } from '../support/env';
import { reopenPeriod, type AccountingPeriod, type Fund } from '../../db/ledger';
import { openFund } from '../support/funds';
import { insertProposal } from '../../db/repositories/proposals';

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
  const fund = await openFund(db, { bureauId, year });
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

export interface RawLine {
  account: string;
  side: string;
  /** Sent as its text (a string, or a Decimal). */
  amount: string | { toString(): string };
  /** Defaults to the line's position in its entry (1..n). */
  lineNo?: number;
  /** The 1-based entry of the batch the line belongs to; defaults to the entry it is listed under. */
  entry?: number;
}

export interface RawEntry {
  key: string;
  postedOn: string;
  kind?: string;
  reverses?: number | null;
  lines: RawLine[];
}

/**
 * Calls the database's posting function straight, with arrays built here: no TypeScript check of
 * the ledger runs, so whatever is refused is refused by PostgreSQL. Rejects with the raw driver
 * error (its `code` is the SQLSTATE, e.g. LF003).
 */
export async function rawPost(db: Knex, entries: RawEntry[]): Promise<Array<{ ord: number; posted_id: number; was_replayed: boolean }>> {
  const lines = entries.flatMap((e, i) => e.lines.map((l, k) => ({ ...l, entry: l.entry ?? i + 1, lineNo: l.lineNo ?? k + 1 })));
  const { rows } = await db.raw(
    `select ord, posted_id, was_replayed
       from ledger_post_batch(?::text[], ?::date[], ?::text[], ?::text[], ?::jsonb[], ?::bigint[], ?::integer[], ?::integer[], ?::text[], ?::text[], ?::numeric[])
      order by ord`,
    [
      entries.map((e) => e.key),
      entries.map((e) => e.postedOn),
      entries.map((e) => e.kind ?? 'raw.test'),
      entries.map(() => ''),
      entries.map(() => '{}'),
      entries.map((e) => e.reverses ?? null) as unknown as string[],
      lines.map((l) => l.entry),
      lines.map((l) => l.lineNo),
      lines.map((l) => l.account),
      lines.map((l) => l.side),
      lines.map((l) => String(l.amount)),
    ],
  );
  return rows;
}

export interface FinanceStaff {
  bureauId: string;
  officer: { userId: string; username: string };
  approver: { userId: string; username: string };
}

/** A finance bureau with an officer and an approver: quarters close and reopen only through them. */
export async function financeStaff(db: Knex): Promise<FinanceStaff> {
  const bureauId = await createOrg(db, 'finance_bureau');
  const person = async (role: string) => {
    const username = `${role.replace('_', '-')}-${randomUUID().slice(0, 8)}`;
    // As the owner: an officer's account is never made by the application's role.
    const [u] = await adminOf(db)('users').insert({ username, password_hash: 'x', role, org_id: bureauId }).returning('id');
    return { userId: u.id as string, username };
  };
  return { bureauId, officer: await person('finance_officer'), approver: await person('finance_approver') };
}

/** Reopens a closed quarter the only way there is: the officer asks, the approver approves. */
export async function reopenWithTwoPeople(db: Knex, quarter: string, staff: FinanceStaff): Promise<AccountingPeriod> {
  const p = await insertProposal(db, { kind: 'period_reopen', quarter, reason: 'test correction', proposedBy: staff.officer.userId, proposedRole: 'finance_officer', requestId: null });
  return reopenPeriod(db, p.id, { actorId: staff.approver.userId });
}
