/**
 * `npm run bench:claims`: a bank's quarterly interest-subsidy claim with --loans N open loans
 * (default 100,000; monthly periods, so three claimable periods a loan in the quarter), against a
 * bare SQL aggregate over the same accrual rows (count and sum for the bank and quarter), in the
 * same run, alternating, --repeat N pairs (default 3), the median pair by ratio reported. Goal ≤ 2×.
 *
 * The subject is what the claim's filing runs: the subsidy-claim workflow's fileClaim activity
 * (usecases/claim-steps.ts), called directly without Temporal. It stores the claim row, whose
 * coverage (the bank's unclaimed accruals of the quarter, as a range of their numbers), line count
 * and total the database computes as it is inserted (db/sql/subsidy/subsidy_claims_cover.sql), and
 * audits it, in one transaction; the lines are not copied (docs/ledger.md, "Subsidy claims"). Each
 * filing runs inside an outer transaction that is rolled back, so every round files the same claim.
 * Each round also times reading the claim's first page of lines with their balances, as
 * GET /v1/subsidy-claims/:id does (printed, not a goal).
 *
 * The data are generated set-based in an embedded PostgreSQL: the demo seed for the organisations,
 * users and policy, then a bank of its own with N loans disbursed in October 2026 on equal
 * instalments, six on-time periods of subsidy accrued per loan (2026Q4 to 2027Q2) and five
 * repayments per loan, so the balances have real repayments to sum. The quarter claimed is 2027Q1.
 *
 * Options: --loans N, --repeat N, --explain (print the filing's plan first).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { scratchPostgres, withoutRowGuards } from './scratch-postgres';
import { createDb, migrateLatest } from '../db/knex';
import { accrueSubsidy } from '../db/ledger';
import { seedDemoData } from '../scripts/lib/demo-seed';
import { claimSteps } from '../usecases/claim-steps';
import { CLAIM_LINES_PAGE_SIZE } from '../usecases/subsidy-claims';
import { claimLines } from '../db/repositories/subsidy';
import { fixedClock } from '../usecases/clock';
import { printResult } from './result';
import { intArg, runMain } from './cli';


const QUARTER = '2027Q1';
const FILED_ON = '2027-04-02';
const ms = (x: number) => `${x.toFixed(0)} ms`;

class Rollback extends Error {}

async function main() {
  const loans = intArg('loans', 100_000);
  const repeat = intArg('repeat', 3);
  const pg = await scratchPostgres('claims');
  const db = createDb(pg.url, { max: 4 });
  try {
    await migrateLatest(db);
    await seedDemoData(db, '2026-10-01');
    const [bank] = await db('organisations').insert({ type: 'bank', name: 'Bench bank', region: 'bench' }).returning('id');
    const bankId: string = bank.id;
    const officer = await db('users').where({ username: 'bank-a' }).first('id', 'username', 'role', 'org_id');
    // One real ledger entry stands for the postings behind every generated accrual and repayment:
    // the claim reads the accrual rows, not the ledger.
    const entry = await accrueSubsidy(db, { bankOrgId: bankId, amount: '1.00', postedOn: '2026-10-01', idempotencyKey: 'bench:claims' });

    let t = Date.now();
    // Loans repaying since October, five repayments each (as years of steps would have left them).
    await withoutRowGuards(db, async (trx) => {
      await trx.raw(
        `insert into applications (id, workflow_id, applicant_user_id, id_number, name, phone, target_group, certificate_no, community_id,
                                   guarantee_company_id, bank_id, requested_amount, term_months, repayment_method, business_plan, policy_id,
                                   submitted_on, status)
         select md5('app' || i)::uuid, 'bench-app-' || i, u.id, 'BENCH' || lpad(i::text, 13, '0'), 'Borrower ' || i, '13900000000',
                'college_graduate', 'SYB-BENCH-' || i, c.id, g.id, ?, 60000.00, 12, 'equal_instalment', 'bench', p.id, '2026-10-01', 'REPAYING'
           from generate_series(1, ?) i,
                (select id from users where username = 'applicant') u,
                (select id from organisations where type = 'community' order by name limit 1) c,
                (select id from organisations where type = 'guarantee_company' order by name limit 1) g,
                (select id from policies order by effective_from desc limit 1) p`,
        [bankId, loans],
      );
      await trx.raw(
        `insert into loans (id, application_id, bank_id, borrower_id_number, contract_no, principal, annual_rate, disbursed_on, term_months,
                            repayment_method, bank_reference, policy_id, status)
         select md5('loan' || i)::uuid, md5('app' || i)::uuid, ?, 'BENCH' || lpad(i::text, 13, '0'), 'C-' || i, 60000.00, 0.0435, '2026-10-15', 12,
                'equal_instalment', 'B-' || i, p.id, 'REPAYING'
           from generate_series(1, ?) i, (select id from policies order by effective_from desc limit 1) p`,
        [bankId, loans],
      );
      await trx.raw(
        `insert into loan_repayments (loan_id, period, kind, amount, interest_part, principal_part, paid_on, bank_reference, recorded_by, ledger_entry_id, idempotency_key)
         select md5('loan' || i)::uuid, k, 'scheduled', 5217.50, 217.50, 5000.00, ('2026-10-15'::date + make_interval(months => k))::date,
                'R-' || i || '-' || k, ?, ?, 'bench:repayment:' || i || ':' || k
           from generate_series(1, ?) i, generate_series(1, 5) k`,
        [officer.id, entry.id, loans],
      );
    });
    // Six on-time periods accrued (due the 15th of November 2026 to April 2027), outside: their own
    // trigger numbers them, which the claim's coverage reads.
    await db.raw(
      `insert into subsidy_accruals (loan_id, period, bank_id, quarter, due_on, amount, accrued_on, ledger_entry_id, idempotency_key)
       select md5('loan' || i)::uuid, k, ?, to_char(d, 'YYYY"Q"Q'), d, (100 + (i % 50) + k)::numeric(18,2) / 2, d, ?, 'bench:accrual:' || i || ':' || k
         from generate_series(1, ?) i, generate_series(1, 6) k, lateral (select ('2026-10-15'::date + make_interval(months => k))::date as d) dd`,
      [bankId, entry.id, loans],
    );
    await db.raw('vacuum analyze');
    console.log(`${loans.toLocaleString('en-US')} loans, ${(loans * 6).toLocaleString('en-US')} accrual rows, ${(loans * 5).toLocaleString('en-US')} repayments generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const aggregate = async () => {
      const started = performance.now();
      const { rows } = await db.raw(`select count(*) as n, sum(amount) as total from subsidy_accruals where bank_id = ? and quarter = ?`, [bankId, QUARTER]);
      return { ms: performance.now() - started, lines: Number(rows[0].n), total: String(rows[0].total) };
    };
    const file = async () => {
      let out: { ms: number; lines: number; total: string; pageMs: number } | undefined;
      await db
        .transaction(async (trx) => {
          const steps = claimSteps({ db: trx as never, clock: fixedClock(`${FILED_ON}T09:00:00Z`) });
          const claimId = randomUUID();
          const started = performance.now();
          const r = await steps.fileClaim({
            claimId, bankId, quarter: QUARTER, workflowId: `bench-claim-${claimId}`, filedOn: FILED_ON, late: false,
            actor: { userId: officer.id, username: officer.username, role: officer.role, orgId: officer.org_id }, requestId: `bench-${claimId}`,
          });
          const elapsed = performance.now() - started;
          if (!r.ok) throw new Error(`the filing was refused: ${r.message}`);
          const pageStarted = performance.now();
          const row = await trx('subsidy_claims').where({ id: claimId }).first();
          const page = await claimLines(trx, row, { page: 1, pageSize: CLAIM_LINES_PAGE_SIZE });
          const pageMs = performance.now() - pageStarted;
          if (page.length !== Math.min(CLAIM_LINES_PAGE_SIZE, r.claim.lineCount)) throw new Error(`the first page of lines has ${page.length}`);
          out = { ms: elapsed, lines: r.claim.lineCount, total: r.claim.total, pageMs };
          throw new Rollback();
        })
        .catch((e) => {
          if (!(e instanceof Rollback)) throw e;
        });
      await db.raw('vacuum subsidy_claims, audit_log');
      return out!;
    };

    if (process.argv.includes('--explain')) await explainFiling(db, bankId, officer);

    // One of each, not timed: the caches warm.
    const warm = await aggregate();
    await file();
    const pairs: Array<{ base: number; subject: number; ratio: number }> = [];
    for (let i = 0; i < repeat; i++) {
      const a = await aggregate();
      const f = await file();
      if (f.lines !== a.lines || f.total !== warm.total) throw new Error(`the claim (${f.lines} lines, ${f.total}) differs from the aggregate (${a.lines}, ${a.total})`);
      pairs.push({ base: a.ms, subject: f.ms, ratio: f.ms / a.ms });
      console.log(
        `round ${i + 1}: aggregate ${ms(a.ms)}, filing ${ms(f.ms)} (${f.lines.toLocaleString('en-US')} lines, total ${f.total}), ratio ${(f.ms / a.ms).toFixed(2)}; ` +
          `first page of ${CLAIM_LINES_PAGE_SIZE} lines read in ${ms(f.pageMs)}`,
      );
    }
    const mid = [...pairs].sort((x, y) => x.ratio - y.ratio)[Math.floor(pairs.length / 2)]!;
    printResult([
      {
        name: `claims: quarterly claim, ${loans.toLocaleString('en-US')} loans`,
        baseline: `SQL aggregate ${ms(mid.base)}`,
        subject: `filing ${ms(mid.subject)}`,
        ratio: `${mid.ratio.toFixed(2)}×`,
        goal: '≤ 2×',
        met: mid.ratio <= 2,
        cause: 'the filing runs the same aggregate inside its INSERT, where PostgreSQL never parallelises it; it would take a running count and total per bank and quarter kept by the accrual trigger, so a filing reads no accruals (docs/benchmarks.md, bench:claims)',
      },
    ]);
  } finally {
    await db.destroy();
    await pg.stop();
  }
}

/**
 * --explain: the plan of the filing's insert, as EXPLAIN (ANALYZE, BUFFERS) runs it (with the time
 * of the trigger that computes the coverage), then of the coverage's own aggregate; rolled back.
 */
async function explainFiling(db: Knex, bankId: string, officer: { id: string }) {
  await db
    .transaction(async (trx) => {
      const plan = async (sql: string, bindings: readonly Knex.RawBinding[]) =>
        console.log((await trx.raw(`explain (analyze, buffers) ${sql}`, bindings)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      const id = randomUUID();
      await plan(
        `insert into subsidy_claims (id, bank_id, quarter, workflow_id, status, late, filed_on, filed_by) values (?, ?, ?, ?, 'SUBMITTED', false, ?, ?)`,
        [id, bankId, QUARTER, `bench-claim-${id}`, FILED_ON, officer.id],
      );
      await plan(`select count(*), sum(a.amount), max(a.seq) from subsidy_accruals a where a.bank_id = ? and a.quarter = ? and a.seq >= 1`, [bankId, QUARTER]);
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
}

runMain(main);
