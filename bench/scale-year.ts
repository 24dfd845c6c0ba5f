/**
 * `npm run bench:scale`: what one year of loanflow costs, per application, per open loan per year
 * and per claim, from a simulation through the real API and workflows on the time-skipping test
 * server (the harness the tests use: test/support/api.ts, test/loans/helpers.ts).
 *
 * --loans N (default 200) applications go through every officer's step to disbursal (12-month,
 * monthly interest); then the server's clock moves through the year, month by month, and bank-a
 * repays every loan's period on its due date; after each quarter bank-a files its subsidy claim, a
 * finance officer checks it and a finance approver approves it (paid from the year's fund).
 *
 * Counted: history events, workflow tasks (each is one workflow activation on a worker) and
 * activities, from every workflow's history; rows and bytes per table (count(*) and
 * pg_total_relation_size, tables and their indexes) before and after each phase. Printed as a
 * table and written as JSON (--out FILE, default test-artifacts/scale-year.json). docs/scaling.md
 * extrapolates it linearly.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openApiSuite, type ApiHarness } from '../test/support/api';
import { stopTestEnv } from '../test/support/env';
import { fundFor, openLoan, serverToday, skipTo, amountDue } from '../test/loans/helpers';
import { claimsOpen } from '../test/subsidy/helpers';
import { intArg, option, runMain } from './cli';


type Sizes = Map<string, { rows: number; bytes: number }>;

/** Rows and bytes (with indexes and TOAST) of every table of the schema, partitions summed into their parent. */
async function sizes(db: Knex): Promise<Sizes> {
  const { rows } = await db.raw(`
    select coalesce(parent.relname, c.relname) as name, c.oid::regclass::text as rel, pg_total_relation_size(c.oid) as bytes
      from pg_class c
      left join pg_inherits i on i.inhrelid = c.oid
      left join pg_class parent on parent.oid = i.inhparent
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'`);
  const out: Sizes = new Map();
  for (const r of rows as Array<{ name: string; rel: string; bytes: number }>) {
    const { rows: n } = await db.raw(`select count(*)::bigint as n from ${r.rel}`);
    const prev = out.get(r.name) ?? { rows: 0, bytes: 0 };
    out.set(r.name, { rows: prev.rows + Number(n[0].n), bytes: prev.bytes + Number(r.bytes) });
  }
  return out;
}

function grown(before: Sizes, after: Sizes): Record<string, { rows: number; bytes: number }> {
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const [name, a] of after) {
    const b = before.get(name) ?? { rows: 0, bytes: 0 };
    if (a.rows !== b.rows || a.bytes !== b.bytes) out[name] = { rows: a.rows - b.rows, bytes: a.bytes - b.bytes };
  }
  return out;
}

interface HistoryCount {
  workflows: number;
  events: number;
  workflowTasks: number;
  activities: number;
  bytes: number;
}

/** Events, workflow tasks and activities of these workflows' histories (every run of each id). */
async function histories(on: TestWorkflowEnvironment, ids: string[]): Promise<HistoryCount> {
  const out: HistoryCount = { workflows: ids.length, events: 0, workflowTasks: 0, activities: 0, bytes: 0 };
  for (const id of ids) {
    const h = await on.client.workflow.getHandle(id).fetchHistory();
    const events = h.events ?? [];
    out.events += events.length;
    out.bytes += JSON.stringify(h).length;
    for (const e of events) {
      if (e.workflowTaskCompletedEventAttributes) out.workflowTasks++;
      if (e.activityTaskScheduledEventAttributes) out.activities++;
    }
  }
  return out;
}

const per = (x: number, n: number) => (n ? Math.round((x / n) * 10) / 10 : 0);

async function main() {
  const loans = intArg('loans', 200);
  const concurrency = intArg('concurrency', 10);
  const outFile = path.resolve(option('out') ?? 'test-artifacts/scale-year.json');
  const started = Date.now();
  const { env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true });
  const db = env.db;
  const owner = env.adminDb;
  try {
    // Signed in once each, before anything runs concurrently: concurrent first sign-ins of one user
    // would trip the sign-in limiter (the harness keeps each token once it has one).
    for (const user of ['trainer', 'community-a', 'g-reviewer', 'g-approver', 'bank-a', 'fin-officer', 'fin-approver']) await h.login(user);
    const s0 = await sizes(owner);
    // ---- applications to disbursal ---------------------------------------------------------------
    const opened: Array<Awaited<ReturnType<typeof openLoan>>> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < loans) {
          next++;
          opened.push(await openLoan(h, skipping, orgs, { termMonths: 12, amount: '50000.00' }));
        }
      }),
    );
    console.log(`${opened.length} applications disbursed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const s1 = await sizes(owner);
    const appIds: string[] = (await db('applications').whereIn('id', opened.map((o) => o.applicationId)).pluck('workflow_id'));
    const loanIds: string[] = (await db('loans').whereIn('id', opened.map((o) => o.loanId)).pluck('workflow_id')).filter(Boolean);

    // ---- a year: every period repaid on its due date; a claim after each quarter ----------------------
    const bankToken = await h.login('bank-a');
    const byDue = new Map<string, Array<{ loanId: string; p: any }>>();
    for (const o of opened) for (const p of o.loan.schedule) byDue.set(p.dueOn, [...(byDue.get(p.dueOn) ?? []), { loanId: o.loanId, p }]);
    const quarters = [...new Set(opened.flatMap((o) => o.loan.schedule.map((p: any) => p.quarter as string)))].sort();
    const claimIds: string[] = [];
    const claimWorkflows: string[] = [];
    const fileClaim = async (quarter: string) => {
      const year = Number((await serverToday(skipping)).slice(0, 4));
      await fundFor(db, year, '100000000.00', `scale-year-${year}-${quarter}`);
      const r = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
      if (r.status !== 201) return console.log(`claim ${quarter}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      claimIds.push(r.body.id);
      for (const [user, step] of [['fin-officer', 'check'], ['fin-approver', 'approval']] as const) {
        const d = await h.call('POST', `/v1/subsidy-claims/${r.body.id}/${step}`, { token: await h.login(user), body: { decision: 'approve', reason: 'matches the records' } });
        if (d.status !== 200) console.log(`claim ${quarter} ${step}: ${d.status} ${JSON.stringify(d.body).slice(0, 200)}`);
      }
      const row = await db('subsidy_claims').where({ id: r.body.id }).first('workflow_id', 'status');
      claimWorkflows.push(row.workflow_id);
      console.log(`claim ${quarter}: ${r.body.lines.length} lines, total ${r.body.total}, ${row.status}`);
    };
    const pending = new Set(quarters);
    let payments = 0;
    for (const due of [...byDue.keys()].sort()) {
      for (const q of [...pending]) {
        if (claimsOpen(q) <= due) {
          await skipTo(skipping, claimsOpen(q));
          await fileClaim(q);
          pending.delete(q);
        }
      }
      await skipTo(skipping, due);
      const batch = byDue.get(due)!;
      let i = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (i < batch.length) {
            const { loanId, p } = batch[i++]!;
            const r = await h.call('POST', `/v1/loans/${loanId}/repayments`, {
              token: bankToken,
              body: { period: p.period, amount: amountDue(p), paidOn: due, bankReference: `R-${loanId.slice(0, 8)}-${p.period}` },
            });
            if (r.status !== 201) throw new Error(`repayment ${loanId} ${p.period}: ${r.status} ${JSON.stringify(r.body)}`);
            payments++;
          }
        }),
      );
      console.log(`${due}: ${batch.length} repayments`);
    }
    for (const q of pending) {
      await skipTo(skipping, claimsOpen(q));
      await fileClaim(q);
    }
    const s2 = await sizes(owner);

    const appH = await histories(skipping, appIds);
    const loanH = await histories(skipping, loanIds);
    const claimH = await histories(skipping, claimWorkflows);
    const result = {
      loans: opened.length,
      payments,
      claims: claimIds.length,
      claimLines: Number((await db('subsidy_claims').whereIn('id', claimIds).sum<{ n: string }[]>('line_count as n'))[0]!.n ?? 0),
      wallSeconds: Math.round((Date.now() - started) / 1000),
      histories: { application: appH, loanYear: loanH, claim: claimH },
      tables: { intake: grown(s0, s1), year: grown(s1, s2) },
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(result, null, 2));

    const n = opened.length;
    console.log(`\n${n} loans, ${payments} repayments, ${claimIds.length} claims (${result.claimLines} lines), ${result.wallSeconds} s\n`);
    console.log('per               events  workflow tasks  activities  history bytes');
    for (const [what, c, k] of [['application', appH, n], ['open loan-year', loanH, n], ['claim', claimH, claimIds.length]] as const) {
      console.log(`${what.padEnd(16)}  ${String(per(c.events, k)).padStart(6)}  ${String(per(c.workflowTasks, k)).padStart(14)}  ${String(per(c.activities, k)).padStart(10)}  ${String(per(c.bytes, k)).padStart(13)}`);
    }
    for (const [phase, t, k] of [['intake, per application', result.tables.intake, n], ['the year, per loan', result.tables.year, n]] as const) {
      console.log(`\n${phase}: table  rows  bytes`);
      const all = Object.entries(t).sort((a, b) => b[1].bytes - a[1].bytes);
      for (const [name, g] of all) console.log(`  ${name.padEnd(32)} ${String(per(g.rows, k)).padStart(7)} ${String(per(g.bytes, k)).padStart(9)}`);
      const sum = all.reduce((s, [, g]) => ({ rows: s.rows + g.rows, bytes: s.bytes + g.bytes }), { rows: 0, bytes: 0 });
      console.log(`  ${'all tables'.padEnd(32)} ${String(per(sum.rows, k)).padStart(7)} ${String(per(sum.bytes, k)).padStart(9)}`);
    }
    console.log(`\nwritten to ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await h.close();
    await stopTestEnv();
  }
}

runMain(main);
