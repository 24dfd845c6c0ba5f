import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { adminOf, testEnv, type TestEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';
import { accrueSubsidy, allocateBudget, payOut } from '../../db/ledger';
import { freshQuarter, openFund } from '../support/funds';
import type { AuditActor } from '../../db/repositories/audit';

/**
 * A migrated, demo-seeded database of its own: quarters are global, and these tests close them.
 * `today` fixes the demo data's dates.
 */
export async function financeDb(env: TestEnv, prefix: string): Promise<Knex> {
  return (await env.newDatabase(prefix, { seed: true })).db;
}

export interface FinanceSuite {
  env: TestEnv;
  /** As the application, on a database of the suite's own. */
  db: Knex;
  p: People;
  /** The API on that database, when asked for (`api`); else undefined. */
  h: ApiHarness;
  /** The tokens of the demo users of `logins`, by username. */
  tokens: Record<string, string>;
}

/**
 * The setup every finance test file shares, as before/after hooks of the calling describe(): a
 * demo-seeded database of its own (quarters are global, and these tests close them), its people,
 * and, with `api`, the API on it — without a worker unless `api: 'with worker'`, on the clock `now`
 * when given, with the demo users of `logins` signed in. The hooks fill the returned object; read
 * it inside tests or later hooks.
 */
export function financeSuite(prefix: string, opts: { api?: true | 'with worker'; now?: () => Date; logins?: string[] } = {}): FinanceSuite {
  const s = { tokens: {} } as FinanceSuite;
  before(async function () {
    s.env = await testEnv();
    s.db = await financeDb(s.env, prefix);
    s.p = await people(s.db);
    if (!opts.api) return;
    s.h = await startApi({ ...s.env, db: s.db }, { ...(opts.api === 'with worker' ? { deps: { db: s.db } } : { runWorker: false }), now: opts.now });
    for (const u of opts.logins ?? []) s.tokens[u] = await s.h.login(u);
  });
  after(async () => {
    await s.h?.close();
    await s.db?.destroy();
  });
  return s;
}

export interface People {
  bankA: string;
  bankB: string;
  bureau: string;
  officer: AuditActor;
  approver: AuditActor;
  bankOfficer: { id: string };
}

export async function people(db: Knex): Promise<People> {
  const user = async (username: string): Promise<AuditActor> => {
    const u = await db('users').where({ username }).first();
    return { userId: u.id, username: u.username, role: u.role, orgId: u.org_id };
  };
  const org = async (name: string) => (await db('organisations').where({ name }).first()).id as string;
  return {
    bankA: await org('Changchun Rural Commercial Bank'),
    bankB: await org('Jilin Bank Changchun Branch'),
    bureau: await org('Changchun Finance Bureau'),
    officer: await user('fin-officer'),
    approver: await user('fin-approver'),
    bankOfficer: { id: (await user('bank-a')).userId },
  };
}

const funded = new Map<string, Promise<string>>();

/** The bureau's fund for the year, with a budget far above anything a test pays. */
async function fundFor(db: Knex, p: People, year: number, firstUse: string): Promise<string> {
  const key = `${(db.client.config.connection as { connectionString: string }).connectionString}:${year}`;
  let f = funded.get(key);
  if (!f) {
    f = (async () => {
      const fund = await openFund(db, { bureauId: p.bureau, year });
      await allocateBudget(adminOf(db), { fundId: fund.id, amount: '100000000000.00', postedOn: firstUse, idempotencyKey: `test-budget:${fund.id}` });
      return fund.id;
    })();
    funded.set(key, f);
  }
  return f;
}

/**
 * A subsidy claim row as its workflow leaves it at a later step, written straight for a test: as the
 * schema's owner with the triggers off, since the database refuses a claim inserted past its filing
 * (db/sql/subsidy/subsidy_claims_cover.sql). It covers no accrual.
 */
export async function storedClaim(db: Knex, row: Record<string, unknown>): Promise<void> {
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('subsidy_claims').insert({ seqs: 'empty', line_count: 0, ...row });
  });
}

export interface PaidClaim {
  claimId: string;
  entryId: number;
  amount: string;
  paidOn: string;
  bankId: string;
}

/**
 * A PAID subsidy claim as the subsidy workflow leaves it (workflow-payout.test.ts goes through the
 * workflow itself; here the payout can be dated in any past quarter, and made by the thousand): the subsidy accrued and paid out by the
 * ledger's own functions (never a hand-written ledger row) and the claim's read-model row pointing
 * at the payout.
 */
export async function paidClaim(db: Knex, p: People, o: { bankId: string; amount: string; paidOn: string; claimId?: string }): Promise<PaidClaim> {
  const year = Number(o.paidOn.slice(0, 4));
  // Allocated on first use: tests close quarters, and a posting into a closed one is refused.
  const fundId = await fundFor(db, p, year, o.paidOn);
  const claimId = o.claimId ?? randomUUID();
  const quarterOfClaim = `${year}Q${Math.floor((Number(o.paidOn.slice(5, 7)) - 1) / 3) + 1}`;
  // Approved first, in a quarter of its own (a bank has one live claim a quarter, and these are
  // made many at a time): the ledger pays a fund's money only to an approved, unpaid claim.
  await storedClaim(db, {
    id: claimId,
    bank_id: o.bankId,
    quarter: freshQuarter(),
    workflow_id: `subsidy-claim-${o.bankId}-${quarterOfClaim}-${claimId}`,
    status: 'CHECKED',
    late: false,
    total: o.amount,
    filed_on: o.paidOn,
    filed_by: p.bankOfficer.id,
    checked_by: p.officer.userId,
    approved_by: p.approver.userId,
  });
  const entry = await db.transaction(async (trx) => {
    // What the bank's on-time periods earned, which the payout then settles.
    await accrueSubsidy(trx, { bankOrgId: o.bankId, amount: o.amount, postedOn: o.paidOn, idempotencyKey: `test-accrual:${claimId}`, metadata: { claimId } });
    return payOut(trx, {
      fundId,
      bankOrgId: o.bankId,
      amount: o.amount,
      postedOn: o.paidOn,
      idempotencyKey: `subsidy-claim:${claimId}:payout`,
      fromReservation: false,
      metadata: { claimId },
    });
  });
  // Then paid, in the quarter it claims, as the workflow leaves it.
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('subsidy_claims')
      .where({ id: claimId })
      .update({ quarter: quarterOfClaim, status: 'PAID', fund_id: fundId, paid_on: o.paidOn, payout_entry_id: entry.id });
  });
  return { claimId, entryId: entry.id, amount: o.amount, paidOn: o.paidOn, bankId: o.bankId };
}

/** Many payouts, a few at a time (each is its own transaction, as the workflow's would be). */
export async function paidClaims(db: Knex, p: People, specs: Array<{ bankId: string; amount: string; paidOn: string }>, parallel = 8): Promise<PaidClaim[]> {
  const out: PaidClaim[] = new Array(specs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (;;) {
        const i = next++;
        if (i >= specs.length) return;
        out[i] = await paidClaim(db, p, specs[i]!);
      }
    }),
  );
  return out;
}

export function csv(lines: string[]): () => Readable {
  const text = lines.join('\n') + '\n';
  return () => Readable.from([Buffer.from(text, 'utf8')]);
}

export function bytes(b: Buffer): () => Readable {
  return () => Readable.from([b]);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(q: Promise<unknown>): Promise<Error> {
  try {
    await q;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal, but it succeeded');
}
