/**
 * npm run bench:ledger — postings per second of the ledger (balanced, idempotent, balance-checked
 * under row locks, hash-chained by a sealer running alongside) against raw INSERTs of the same rows
 * (the entry row and its lines, into plain tables with a primary key and nothing else), in the same
 * run, on the same embedded PostgreSQL, through the same client stack (knex), with the same number
 * of concurrent clients:
 *
 *   - uncontended: each client posts to accounts of its own;
 *   - hot account: every posting takes from the one special fund's available budget (a
 *     non-negative account, so each transaction holds its balance row's lock until commit);
 *
 * each in two modes: one posting per transaction (postEntry) and batches (postEntries, one round
 * trip and one transaction per batch; the raw side inserts the same batch in one statement).
 *
 * Each raw/ledger pair is measured --repeat times (default 5), interleaved; the median pair by
 * ratio is reported.
 *
 * Options: --postings N (per measurement, default 12000), --repeat N (default 5), --clients N (single mode, default 16),
 * --batch N (default 50), --batch-clients N (default 8).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { scratchPostgres } from './scratch-postgres';
import { createDb, migrateLatest } from '../db/knex';
import { printResult } from './result';
import { accountCode, accrueSubsidy, allocateBudget, getFundStatus, insertFund, postEntries, postEntry, sealLedger, verifyLedger, type LineInput } from '../db/ledger';
import { intArg, runMain } from './cli';



interface Posting {
  key: string;
  kind: string;
  description: string;
  metadata: Record<string, unknown>;
  lines: Array<{ account: string; side: 'debit' | 'credit'; amount: string }>;
}

const POSTED_ON = '2027-04-15';

/** Runs `total` jobs on `clients` concurrent workers; returns postings per second. */
async function run(total: number, clients: number, job: (i: number, client: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await job(i, c);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return total / seconds;
}

function rawInsert(db: Knex, p: Posting) {
  return db.raw(
    `with e as (
       insert into bench_raw_entries (idempotency_key, posted_on, kind, description, metadata)
       values (?, ?::date, ?, ?, ?::jsonb) returning id)
     insert into bench_raw_lines (entry_id, line_no, account, side, amount)
     select e.id, t.ord, t.account, t.side, t.amount
       from e cross join unnest(?::text[], ?::text[], ?::numeric[]) with ordinality as t(account, side, amount, ord)`,
    [p.key, POSTED_ON, p.kind, p.description, JSON.stringify(p.metadata), p.lines.map((l) => l.account), p.lines.map((l) => l.side), p.lines.map((l) => l.amount)],
  );
}

function ledgerPost(db: Knex, p: Posting) {
  return postEntry(db, { idempotencyKey: p.key, postedOn: POSTED_ON, kind: p.kind, description: p.description, metadata: p.metadata, lines: p.lines as LineInput[] });
}

function rawInsertBatch(db: Knex, ps: Posting[]) {
  const lines = ps.flatMap((p, i) => p.lines.map((l, n) => ({ ...l, e: i + 1, n: n + 1 })));
  return db.raw(
    `with e as (
       insert into bench_raw_entries (idempotency_key, posted_on, kind, description, metadata)
       select * from unnest(?::text[], ?::date[], ?::text[], ?::text[], ?::jsonb[])
       returning id, idempotency_key)
     insert into bench_raw_lines (entry_id, line_no, account, side, amount)
     select e.id, t.n, t.account, t.side, t.amount
       from unnest(?::integer[], ?::integer[], ?::text[], ?::text[], ?::numeric[]) as t(ei, n, account, side, amount)
       join unnest(?::text[]) with ordinality as k(key, ord) on k.ord = t.ei
       join e on e.idempotency_key = k.key`,
    [
      ps.map((p) => p.key),
      ps.map(() => POSTED_ON),
      ps.map((p) => p.kind),
      ps.map((p) => p.description),
      ps.map((p) => JSON.stringify(p.metadata)),
      lines.map((l) => l.e),
      lines.map((l) => l.n),
      lines.map((l) => l.account),
      lines.map((l) => l.side),
      lines.map((l) => l.amount),
      ps.map((p) => p.key),
    ],
  );
}

function ledgerPostBatch(db: Knex, ps: Posting[]) {
  return postEntries(
    db,
    ps.map((p) => ({ idempotencyKey: p.key, postedOn: POSTED_ON, kind: p.kind, description: p.description, metadata: p.metadata, lines: p.lines as LineInput[] })),
  );
}

/** Seals continuously while `running()` holds, as a deployment's periodic sealer would. */
async function sealer(db: Knex, running: () => boolean): Promise<number> {
  let sealed = 0;
  while (running()) {
    const r = await sealLedger(db, { batchSize: 5000, maxBatches: 1 });
    sealed += r.entries;
    if (r.entries === 0) await new Promise((res) => setTimeout(res, 20));
  }
  return sealed;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main() {
  const total = intArg('postings', 12_000);
  const repeat = intArg('repeat', 5);
  const clients = intArg('clients', 16);
  const batch = intArg('batch', 50);
  const batchClients = intArg('batch-clients', 8);
  const maxClients = Math.max(clients, batchClients);
  const pg = await scratchPostgres('ledger');
  // One pool for the clients, one connection for the sealer.
  const db = createDb(pg.url, { min: maxClients, max: maxClients });
  const sealDb = createDb(pg.url, { max: 1 });
  try {
    await migrateLatest(db);
    await db.raw(`
      create table bench_raw_entries (
        id bigint generated always as identity primary key,
        idempotency_key text not null, posted_on date not null, kind text not null,
        description text not null, metadata jsonb not null, created_at timestamptz not null default now());
      create table bench_raw_lines (
        entry_id bigint not null, line_no smallint not null, account text not null,
        side text not null, amount numeric(18,2) not null, primary key (entry_id, line_no));
    `);
    const bureau = randomUUID();
    const banks = Array.from({ length: maxClients }, () => randomUUID());
    await db('organisations').insert([
      { id: bureau, type: 'finance_bureau', name: 'Bench finance bureau', region: 'bench' },
      ...banks.map((id, i) => ({ id, type: 'bank', name: `Bench bank ${i}`, region: 'bench' })),
    ]);
    const fund = await insertFund(db, { programme: 'interest_subsidy', year: 2027, financeBureauOrgId: bureau, name: 'Bench special fund' });
    await allocateBudget(db, { fundId: fund.id, amount: '9999999999.00', postedOn: '2027-01-02', idempotencyKey: 'bench:alloc' });
    for (const b of banks) await accrueSubsidy(db, { bankOrgId: b, amount: '999999999.00', postedOn: '2027-01-02', idempotencyKey: `bench:accrue:${b}` });

    const amount = (i: number) => `${(i % 997) + 1}.${String(i % 100).padStart(2, '0')}`;
    // Uncontended: a client's repayments touch only its own bank's accounts.
    const uncontended = (tag: string) => (i: number, c: number): Posting => ({
      key: `${tag}:${i}`,
      kind: 'loan.repayment',
      description: 'Interest repaid',
      metadata: { loanId: `L-${i}`, period: i % 24 },
      lines: [
        { account: accountCode.bank(banks[c]!, 'cash'), side: 'debit', amount: amount(i) },
        { account: accountCode.bank(banks[c]!, 'interest_income'), side: 'credit', amount: amount(i) },
      ],
    });
    // Hot: every payout takes from the one fund's available budget. The ledger pays a fund's money
    // only to an approved, unpaid claim of that bank and amount (docs/ledger.md), so each measured
    // payout has one, written beforehand, outside the measurement (approveHot); the raw side inserts
    // the same rows.
    const [checker, approver] = await db('users')
      .insert(['finance_officer', 'finance_approver'].map((role) => ({ username: `bench-${role}-${randomUUID()}`, password_hash: 'x', role, org_id: bureau })))
      .returning('id');
    // A batch's payouts go to one bank, as a client's went to its own before claims were needed.
    const hotBank = (i: number) => banks[Math.floor(i / batch) % banks.length]!;
    const claimOf = new Map<string, string>();
    const quarters = new Map<string, number>();
    /** Approved claims (CHECKED, with an approver) for the hot payouts `tag:0` .. `tag:n-1`, a quarter each of its bank. */
    const approveHot = async (tag: string, n: number) => {
      const rows = Array.from({ length: n }, (_, i) => {
        const id = randomUUID();
        claimOf.set(`${tag}:${i}`, id);
        const q = quarters.get(hotBank(i)) ?? 0;
        quarters.set(hotBank(i), q + 1);
        return {
          id, bank_id: hotBank(i), quarter: `${1000 + Math.floor(q / 4)}Q${(q % 4) + 1}`, workflow_id: `bench-${id}`, status: 'CHECKED', late: false, total: amount(i),
          filed_on: '2027-01-02', filed_by: checker.id, checked_by: checker.id, approved_by: approver.id, seqs: 'empty', line_count: 0,
        };
      });
      // As the claim workflow's approval leaves them: the database refuses a claim inserted past its
      // filing, so these go in as the owner with the triggers off.
      await db.transaction(async (trx) => {
        await trx.raw('set local session_replication_role = replica');
        await trx.batchInsert('subsidy_claims', rows, 1000);
      });
    };
    const hot = (tag: string) => (i: number, _client: number): Posting => ({
      key: `${tag}:${i}`,
      kind: 'fund.payout',
      description: 'Interest subsidy paid to bank',
      metadata: { fundId: fund.id, claimId: claimOf.get(`${tag}:${i}`) ?? null },
      lines: [
        { account: accountCode.bank(hotBank(i), 'subsidy_payable'), side: 'debit', amount: amount(i) },
        { account: accountCode.fund(fund.id, 'available'), side: 'credit', amount: amount(i) },
      ],
    });

    /** Batches of `batch` postings spread over `batchClients` clients; returns postings per second. */
    const runBatches = (tag: string, make: (tag: string) => (i: number, c: number) => Posting, post: (ps: Posting[]) => Promise<unknown>) =>
      run(Math.ceil(total / batch), batchClients, (b, c) => post(Array.from({ length: batch }, (_, k) => make(tag)(b * batch + k, c)))).then((bps) => bps * batch);

    // Warm-up (caches, plans, accounts), not measured.
    await run(2000, clients, (i, c) => rawInsert(db, uncontended('warm-raw')(i, c)));
    await run(2000, clients, (i, c) => ledgerPost(db, uncontended('warm')(i, c)));
    await approveHot('warm-hot', 500);
    await run(500, clients, (i, c) => ledgerPost(db, hot('warm-hot')(i, c)));
    await runBatches('warm-raw-batch', uncontended, (ps) => rawInsertBatch(db, ps));
    await runBatches('warm-batch', uncontended, (ps) => ledgerPostBatch(db, ps));
    await sealLedger(sealDb);

    interface Row {
      scenario: string;
      mode: string;
      raw: number;
      ledger: number;
      ratio: number;
      sealedAlongside: number;
      sealRest: number;
    }
    // Each pair (raw, then ledger) is measured `repeat` times, interleaved, and the median pair by
    // ratio is reported: a shared 2-CPU machine moves single runs by a third either way.
    const median = (rows: Row[]) => [...rows].sort((a, b) => a.ratio - b.ratio)[Math.floor(rows.length / 2)]!;
    const results: Row[] = [];
    for (const [scenario, make] of [
      ['uncontended', uncontended],
      ['hot account', hot],
    ] as const) {
      for (const mode of ['1 per transaction', `batches of ${batch}`]) {
        const single = mode === '1 per transaction';
        const runs: Row[] = [];
        for (let r = 0; r < repeat; r++) {
          const tag = `${scenario}-${single ? 'single' : 'batch'}-${r}`;
          const raw = single
            ? await run(total, clients, (i, c) => rawInsert(db, make(`raw-${tag}`)(i, c)))
            : await runBatches(`raw-${tag}`, make, (ps) => rawInsertBatch(db, ps));
          if (make === hot) await approveHot(`ledger-${tag}`, single ? total : Math.ceil(total / batch) * batch);
          let running = true;
          const sealing = sealer(sealDb, () => running);
          const ledger = single
            ? await run(total, clients, (i, c) => ledgerPost(db, make(`ledger-${tag}`)(i, c)))
            : await runBatches(`ledger-${tag}`, make, (ps) => ledgerPostBatch(db, ps));
          running = false;
          const sealedAlongside = await sealing;
          const t0 = process.hrtime.bigint();
          const rest = await sealLedger(sealDb);
          const sealRest = Number(process.hrtime.bigint() - t0) / 1e6;
          runs.push({ scenario, mode, raw, ledger, ratio: ledger / raw, sealedAlongside, sealRest: rest.entries ? sealRest : 0 });
          process.stdout.write(`\r${scenario}, ${mode}: run ${r + 1} of ${repeat}, ratio ${(ledger / raw).toFixed(2)}          `);
        }
        const m = median(runs);
        results.push(m);
        console.log(`\r${scenario}, ${mode}: ratios ${runs.map((x) => x.ratio.toFixed(2)).join(', ')} → median ${m.ratio.toFixed(2)}          `);
      }
    }

    // Sealing on its own: chain a backlog.
    await runBatches('backlog', uncontended, (ps) => ledgerPostBatch(db, ps));
    const s0 = process.hrtime.bigint();
    const backlog = await sealLedger(sealDb);
    const sealPerSecond = backlog.entries / (Number(process.hrtime.bigint() - s0) / 1e9);

    const v0 = process.hrtime.bigint();
    const report = await verifyLedger(db);
    const verifySeconds = Number(process.hrtime.bigint() - v0) / 1e9;
    const status = await getFundStatus(db, fund.id);

    console.log(`\nLedger bench: ${fmt(total)} postings per measurement, median of ${repeat} runs; ${clients} clients one posting per transaction, ${batchClients} clients in batches of ${batch}`);
    console.log(`PostgreSQL (embedded, default settings: fsync on, synchronous_commit on), node ${process.version}, ${os.cpus().length} CPUs\n`);
    console.log('scenario      mode                 raw INSERT/s   ledger postings/s   ratio   sealed alongside   rest sealed in');
    for (const r of results) {
      console.log(
        `${r.scenario.padEnd(13)} ${r.mode.padEnd(18)} ${fmt(r.raw).padStart(14)}   ${fmt(r.ledger).padStart(17)}   ${(r.ledger / r.raw).toFixed(2).padStart(5)}   ${fmt(r.sealedAlongside).padStart(16)}   ${r.sealRest.toFixed(0).padStart(11)} ms`,
      );
    }
    console.log(`\nsealing a backlog: ${fmt(sealPerSecond)} entries/s (${fmt(backlog.entries)} entries)`);
    console.log(`verify: ${fmt(report.entries)} entries in ${verifySeconds.toFixed(1)} s — ok=${report.ok} balanced=${report.balanced} chainIntact=${report.chainIntact} unsealed=${report.unsealed}`);
    console.log(`fund after the hot payouts: available ${status.available}, paid ${status.paid}`);
    const u = results.find((r) => r.scenario === 'uncontended' && r.mode !== '1 per transaction')!;
    const u1 = results.find((r) => r.scenario === 'uncontended' && r.mode === '1 per transaction')!;
    console.log(
      `\ntargets (uncontended, batches of ${batch}): ratio ≥ 0.5 → ${(u.ledger / u.raw).toFixed(2)} ${u.ledger / u.raw >= 0.5 ? 'met' : 'NOT met'}; ` +
        `≥ 5,000 postings/s → ${fmt(u.ledger)} ${u.ledger >= 5000 ? 'met' : 'NOT met'}` +
        `\n(one posting per transaction: ratio ${(u1.ledger / u1.raw).toFixed(2)}, ${fmt(u1.ledger)} postings/s)`,
    );
    printResult([
      {
        name: `ledger: postings vs raw INSERTs (batches of ${batch})`,
        baseline: `${fmt(u.raw)} rows/s`,
        subject: `${fmt(u.ledger)} postings/s`,
        ratio: (u.ledger / u.raw).toFixed(2),
        goal: '≥ 0.50',
        met: u.ledger / u.raw >= 0.5,
        cause: 'met in the median of five pairs on this machine (0.52–0.55), narrowly: a posting writes 7 index entries against the raw rows\' 3 and is sealed alongside; single pairs move 0.44–0.70 (docs/benchmarks.md, bench:ledger)',
      },
      { name: `ledger: postings per second (batches of ${batch})`, baseline: '—', subject: `${fmt(u.ledger)}/s`, ratio: '—', goal: '≥ 5,000/s', met: u.ledger >= 5000, cause: 'met three times over on this machine (15,307/s); below it the machine was busy with other work (docs/benchmarks.md, bench:ledger)' },
    ]);
  } finally {
    await sealDb.destroy();
    await db.destroy();
    await pg.stop();
  }
}

runMain(main);
