/**
 * Chaos run: applications move to disbursal and repayment through the real API while the worker is
 * killed (SIGKILL) at random points, PostgreSQL is restarted, and so is the Temporal server. Then
 * every application must stand where its decisions put it, each posting must be in the ledger
 * exactly once, the trial balance must be zero and the hash chain intact (docs/chaos.md).
 *
 * Everything runs on servers of its own (a PostgreSQL cluster and a Temporal dev server in a
 * temporary folder, a worker in a child process), so restarting them disturbs nothing else.
 * `test/chaos/chaos.test.ts` runs 200 applications in `npm test`; `npm run chaos` runs 1,000.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Knex } from 'knex';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../db/embedded';
import { createDb, migrateLatest } from '../../db/knex';
import { ensureAppRole, urlAs } from '../../db/app-role';
import { seedDemoData, DEMO_PASSWORD } from '../../scripts/lib/demo-seed';
import { startTemporalDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { listen } from '../../scripts/lib/api-server';
import { connectTemporalClient } from '../../api/temporal';
import { hashPassword } from '../../api/auth/passwords';
import { checkCharFor } from '../../domain/id-number';
import { businessDateOf } from '../../domain/business-day';
import { sealLedger, trialBalance, verifyLedger } from '../../db/ledger';
import { projectRoot } from '../../config';
import { applicationWorkflowId } from '../../workflows/definitions';
import { freePort } from '../support/env';
import { seededRandom } from '../support/random';

export interface ChaosOptions {
  applications: number;
  /** Applications driven at once. */
  concurrency: number;
  seed: number;
  /** How many times the worker is killed with SIGKILL (and started again). */
  workerKills: number;
  restartPostgres: boolean;
  restartTemporal: boolean;
  log?: (line: string) => void;
}

export type Path = 'rejected' | 'withdrawn' | 'disbursed' | 'repaid_in_part';

export interface ChaosReport {
  applications: number;
  seconds: number;
  expected: Record<Path, number>;
  /** Applications whose final status is not the one their decisions imply (must be empty). */
  wrongStatus: Array<{ id: string; expected: string; actual: string }>;
  /** Per kind of posting: entries found against entries implied (must agree). */
  postings: Record<string, { found: number; expected: number }>;
  /** Audit rows per decision that are not exactly one (must be empty). */
  auditNotOnce: Array<{ action: string; entity: string; n: number }>;
  /** Temporal's view of an application that disagrees with the database's (must be empty). */
  workflowDisagrees: Array<{ id: string; workflow: string; database: string }>;
  trialBalance: { debits: string; credits: string; balanced: boolean };
  verify: { ok: boolean; chainIntact: boolean; entries: number };
  chaos: { workerKills: number; postgresRestarts: number; temporalRestarts: number; apiRetries: number; apiCalls: number };
}

const CALLS_PER_APPLICATION = 8;

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(o.seed);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-chaos-'));
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // ---- servers of our own --------------------------------------------------------------------
    const pgPort = await freePort();
    const startPg = () => startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: pgPort, database: 'loanflow_chaos', persistent: true });
    let pg: EmbeddedPg = await startPg();
    stops.push(() => pg.stop());
    const owner = createDb(pg.url, { max: 2 });
    stops.push(() => owner.destroy());
    await migrateLatest(owner);
    const role = { name: 'loanflow_app', password: 'loanflow-chaos-app' };
    await ensureAppRole(owner, role);
    const appUrl = urlAs(pg.url, role);
    const db = createDb(appUrl, { max: 20, quietConnectErrors: true });
    stops.push(() => db.destroy());
    await seedDemoData(owner);

    const temporalPort = await freePort();
    const startTemporal = () =>
      startTemporalDevServer({ dbFile: path.join(tmp, 'temporal', 'temporal.sqlite'), port: temporalPort, namespace: 'default' });
    let temporal: DevServer = await startTemporal();
    stops.push(() => temporal.stop());

    const taskQueue = `chaos-${o.seed}`;
    let worker: ChildProcess | undefined;
    const startWorker = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'worker.ts')], {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: appUrl, TEMPORAL_ADDRESS: temporal.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const onData = (b: Buffer) => {
          output = (output + b.toString()).slice(-4000);
          if (output.includes('"msg":"worker started"')) resolve();
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
        child.once('exit', (code) => reject(new Error(`the worker exited (code ${code}) before it started:\n${output}`)));
      });
      child.removeAllListeners('exit');
      worker = child;
    };
    const killWorker = async () => {
      const w = worker;
      if (!w || w.exitCode !== null) return;
      const gone = new Promise((r) => w.once('exit', r));
      w.kill('SIGKILL');
      await gone;
    };
    await startWorker();
    stops.push(killWorker);

    const client = await connectTemporalClient(temporal.address, 'default');
    stops.push(() => client.connection.close());
    const api = await listen(
      { db, temporal: client, taskQueue, logger: pino({ level: 'silent' }), jwtSecret: 'chaos-secret-chaos-secret-chaos-secret', tokenTtlSeconds: 3600 },
      0,
      '127.0.0.1',
    );
    stops.push(() => api.close());

    // ---- chaos: actions at random points of the run, one at a time -------------------------------
    const expectedCalls = o.applications * CALLS_PER_APPLICATION;
    const at = (lo: number, hi: number) => Math.floor(expectedCalls * (lo + random() * (hi - lo)));
    const plan: Array<{ call: number; what: 'worker' | 'postgres' | 'temporal' }> = [];
    for (let k = 0; k < o.workerKills; k++) plan.push({ call: at(0.05, 0.9), what: 'worker' });
    if (o.restartPostgres) plan.push({ call: at(0.3, 0.5), what: 'postgres' });
    if (o.restartTemporal) plan.push({ call: at(0.55, 0.75), what: 'temporal' });
    plan.sort((a, b) => a.call - b.call);
    const done = { workerKills: 0, postgresRestarts: 0, temporalRestarts: 0, apiRetries: 0, apiCalls: 0 };
    let chaos: Promise<void> = Promise.resolve();
    const act = async (what: 'worker' | 'postgres' | 'temporal') => {
      const t0 = Date.now();
      if (what === 'worker') {
        await killWorker();
        await startWorker();
        done.workerKills += 1;
      } else if (what === 'postgres') {
        await pg.stop();
        pg = await startPg();
        done.postgresRestarts += 1;
      } else {
        const child = temporal.process.child;
        const gone = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
        child.kill('SIGKILL');
        await gone;
        temporal = await startTemporal();
        done.temporalRestarts += 1;
      }
      log(`chaos: ${what} ${what === 'worker' ? 'killed and started' : 'restarted'} at call ${done.apiCalls} (${Date.now() - t0} ms)`);
    };
    const tick = () => {
      done.apiCalls += 1;
      while (plan.length && plan[0]!.call <= done.apiCalls) {
        const { what } = plan.shift()!;
        chaos = chaos.then(() => act(what));
      }
    };

    // ---- the client: retries what failed for reasons that heal, under the same key ---------------
    type Reply = { status: number; body: any };
    const call = async (method: string, url: string, token: string | null, body: unknown, key: string | null): Promise<Reply> => {
      for (let attempt = 0; ; attempt++) {
        tick();
        try {
          const res = await fetch(api.url + url, {
            method,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(180_000),
          });
          const text = await res.text();
          const reply = { status: res.status, body: text ? JSON.parse(text) : undefined };
          // 5xx: the API could not reach a server that is restarting; 409 "in progress": our own
          // earlier attempt still holds the key.
          const busy = res.status === 409 && reply.body?.error?.details?.[0]?.message === 'in progress';
          if (res.status < 500 && !busy) return reply;
        } catch {
          // connection refused or reset: the same
        }
        done.apiRetries += 1;
        if (attempt > 200) throw new Error(`${method} ${url}: no answer after ${attempt} attempts`);
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    };
    const ok = (r: Reply, what: string, status = 200) => {
      if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    // One sign-in per user, shared by the applications driven at once (as a browser tab would):
    // more than a few sign-ins of one account at once look like guessing to the login limiter.
    const tokens = new Map<string, Promise<string>>();
    const login = (username: string, password = DEMO_PASSWORD) => {
      let token = tokens.get(username);
      if (!token) {
        token = call('POST', '/v1/auth/login', null, { username, password }, null).then((r) => ok(r, `login ${username}`).token as string);
        tokens.set(username, token);
      }
      return token;
    };

    // ---- applicants: accounts straight in the database (their sign-up is not under test) ---------
    const orgs = Object.fromEntries((await db('organisations').select('name', 'id')).map((r) => [r.name, r.id]));
    const community = orgs['Nanguan Credit Community'];
    const passwordHash = await hashPassword('applicant-password');
    const people = Array.from({ length: o.applications }, (_, i) => {
      const first17 = `220102${1980 + (i % 20)}0101${String(i % 1000).padStart(3, '0')}`.slice(0, 17);
      const idNumber = first17 + checkCharFor(first17);
      const r = random();
      const p: Path = r < 0.1 ? 'rejected' : r < 0.2 ? 'withdrawn' : r < 0.6 ? 'disbursed' : 'repaid_in_part';
      return { i, username: `chaos-${o.seed}-${i}`, idNumber, name: `Chaos ${i}`, certificateNo: `CH-${o.seed}-${i}`, path: p };
    });
    for (let k = 0; k < people.length; k += 200) {
      await db('users').insert(
        people.slice(k, k + 200).map((p) => ({ username: p.username, password_hash: passwordHash, role: 'applicant', id_number: p.idNumber, name: p.name, phone: '13900000000' })),
      );
    }
    const today = businessDateOf(Date.now());
    const expected = { rejected: 0, withdrawn: 0, disbursed: 0, repaid_in_part: 0 } as Record<Path, number>;
    const ids: Array<{ id: string; path: Path }> = [];

    const drive = async (p: (typeof people)[number]) => {
      const k = (step: string) => `chaos-${o.seed}-${p.i}-${step}`;
      ok(
        await call('POST', '/v1/certificates', await login('trainer'), { certificateNo: p.certificateNo, holderIdNumber: p.idNumber, holderName: p.name, course: 'SYB', issuedOn: today }, k('certificate')),
        'certificate',
        201,
      );
      const me = await login(p.username, 'applicant-password');
      const body = {
        idNumber: p.idNumber, name: p.name, phone: '13900000000', targetGroup: 'college_graduate', certificateNo: p.certificateNo,
        communityId: community, requestedAmount: '80000.00', termMonths: 12, repaymentMethod: 'monthly_interest_bullet',
        businessPlan: 'A small noodle shop near the university, two employees in the first year.',
      };
      const submitted = ok(await call('POST', '/v1/applications', me, body, k('submit')), 'submit', 201);
      const id = submitted.id as string;
      ids.push({ id, path: p.path });
      expected[p.path] += 1;
      const decide = async (step: string, user: string, b: unknown) => ok(await call('POST', `/v1/applications/${id}/${step}`, await login(user), b, k(step)), step);
      if (p.path === 'withdrawn') return void (await call('POST', `/v1/applications/${id}/withdrawal`, me, { reason: 'found another way' }, k('withdraw')).then((r) => ok(r, 'withdraw')));
      if (p.path === 'rejected') return void (await decide('counter-guarantee', 'community-a', { decision: 'reject', type: 'credit_community', reason: 'not known here' }));
      await decide('counter-guarantee', 'community-a', { decision: 'approve', type: 'credit_community', reason: 'good standing' });
      await decide('guarantee-review', 'g-reviewer', { recommendation: 'approve', amount: '80000.00', reason: 'sound plan' });
      await decide('guarantee-approval', 'g-approver', { decision: 'approve', amount: '80000.00', reason: 'approved' });
      const app = await decide('disbursal', 'bank-a', {
        contractNo: `C-${p.i}-${o.seed}`, amount: '80000.00', annualRate: '0.0435', disbursedOn: today, bankReference: `D-${p.i}-${o.seed}`,
      });
      if (p.path === 'repaid_in_part') {
        ok(
          await call('POST', `/v1/loans/${app.loanId}/repayments`, await login('bank-a'), { period: 1, amount: '100.00', paidOn: today, bankReference: `R-${p.i}-${o.seed}` }, k('repay')),
          'repayment',
          201,
        );
      }
    };
    let next = 0;
    let failed = false;
    // Every driver settles before the servers stop: one still calling the API after the Temporal
    // client closed would throw from a gRPC retry timer, outside any test.
    const drivers = await Promise.allSettled(
      Array.from({ length: o.concurrency }, async () => {
        while (next < people.length && !failed) {
          const p = people[next++]!;
          await drive(p).catch((e: unknown) => {
            failed = true;
            throw e;
          });
          if ((p.i + 1) % 50 === 0) log(`chaos: ${p.i + 1} of ${people.length} driven (${done.apiCalls} calls, ${done.apiRetries} retried)`);
        }
      }),
    );
    await chaos;
    const firstFailure = drivers.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (firstFailure) throw firstFailure.reason;

    // ---- what a user would check ---------------------------------------------------------------
    const statusOf: Record<Path, string> = { rejected: 'REJECTED', withdrawn: 'WITHDRAWN', disbursed: 'REPAYING', repaid_in_part: 'REPAYING' };
    const rows = new Map<string, { status: string; loan_id: string | null }>(
      (await db('applications').whereIn('id', ids.map((x) => x.id)).select('id', 'status', 'loan_id')).map((r) => [r.id, r]),
    );
    const wrongStatus = ids
      .filter((x) => rows.get(x.id)?.status !== statusOf[x.path])
      .map((x) => ({ id: x.id, expected: statusOf[x.path], actual: rows.get(x.id)?.status ?? 'missing' }));
    const workflowDisagrees: ChaosReport['workflowDisagrees'] = [];
    for (const x of ids) {
      const state = await client.workflow.getHandle(applicationWorkflowId(x.id)).query<{ status: string }>('applicationState');
      if (state.status !== rows.get(x.id)?.status) workflowDisagrees.push({ id: x.id, workflow: state.status, database: rows.get(x.id)?.status ?? 'missing' });
    }
    const disbursed = expected.disbursed + expected.repaid_in_part;
    const kinds = await db('ledger_entries').groupBy('kind').select('kind', db.raw('count(*)::integer as n'));
    const found = (kind: string) => kinds.find((r: { kind: string }) => r.kind === kind)?.n ?? 0;
    const postings = {
      'loan.disbursal': { found: found('loan.disbursal'), expected: disbursed },
      'guarantee.commitment': { found: found('guarantee.commitment'), expected: disbursed },
      'loan.repayment': { found: found('loan.repayment'), expected: expected.repaid_in_part },
    };
    const auditNotOnce = (
      await db('audit_log')
        .whereIn('entity_id', ids.map((x) => x.id))
        .groupBy('action', 'entity_id')
        .havingRaw('count(*) <> 1')
        .select('action', 'entity_id as entity', db.raw('count(*)::integer as n'))
    ).map((r: { action: string; entity: string; n: number }) => r);
    const tb = await trialBalance(db);
    await sealLedger(db);
    const v = await verifyLedger(db);
    return {
      applications: ids.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      expected,
      wrongStatus,
      postings,
      auditNotOnce,
      workflowDisagrees,
      trialBalance: { debits: tb.totalDebits, credits: tb.totalCredits, balanced: tb.balanced },
      verify: { ok: v.ok, chainIntact: v.chainIntact, entries: v.entries },
      chaos: done,
    };
  } finally {
    while (stops.length) await stops.pop()!().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
