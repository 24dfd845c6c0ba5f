/**
 * Property-based fuzzing of every operation in /openapi.json (docs/api.md "Input rules"). Each case is
 * one request: valid for its operation, or broken in one hostile way (cases.ts). Whatever it is:
 *  - the answer is never a 5xx, and comes within 30 s;
 *  - a 400 names what is wrong (`details` is not empty);
 *  - a refused request (4xx) wrote nothing: every table's row count and newest row version are
 *    as before (the one exception: a refusal other than bad input is stored under its
 *    Idempotency-Key, so that a retry gets the same answer);
 *  - a request that breaks the input rules (NUL, a lone surrogate, nesting past 32, a wrong type,
 *    a missing or unknown field) is a 400 whatever the state of the resource.
 *
 * `npm test` runs FUZZ_RUNS (10,000) cases from a fixed FUZZ_SEED; `npm run fuzz` runs more from a
 * random seed. A failure prints the operation, the request, the body, the seed and the path.
 */
import fc from 'fast-check';
import { buildWorld, type World } from './world';
import { operationsOf, type Operation } from './operations';
import { caseArbitrary, describeCase, type FuzzCase } from './cases';
import { rawRequest, type RawReply } from '../support/raw-http';
import { fingerprinter, changedTables, type Fingerprint, type Fingerprinter } from '../support/fingerprint';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED_GIVEN = process.env.FUZZ_SEED;
const SEED = SEED_GIVEN === 'random' ? Math.floor(Math.random() * 2 ** 31) : SEED_GIVEN ? Number(SEED_GIVEN) : 20261205;
/** To replay one case alone (on a fresh world): the path fast-check printed. */
const PATH = process.env.FUZZ_PATH;

/** Refusals that may write: the stored answer of an Idempotency-Key (not for bad input, which frees the key). */
const MAY_WRITE_WHEN_REFUSED: Record<number, string[]> = { 403: ['idempotency_keys'], 404: ['idempotency_keys'], 409: ['idempotency_keys'], 422: ['idempotency_keys'] };
/**
 * A refused sign-in may count itself, against guessing passwords; so may a refused read of someone
 * else's integrity record, against guessing ID numbers (the same counters' table).
 */
const SIGN_IN_BOOKKEEPING = /login|attempt|throttl|lockout|rate_limit/;
const COUNTED_WHEN_REFUSED = (op: string) => op.startsWith('POST /v1/auth/') || op === 'GET /v1/integrity-records/{idNumber}';

function mayWrite(c: FuzzCase, status: number, table: string): boolean {
  if ((MAY_WRITE_WHEN_REFUSED[status] ?? []).includes(table)) return true;
  return COUNTED_WHEN_REFUSED(c.op) && SIGN_IN_BOOKKEEPING.test(table);
}

describe(`fuzzing every operation of /openapi.json (${RUNS} cases, seed ${SEED})`, function () {
  this.timeout(Math.max(600_000, RUNS * 200));
  let world: World;
  let ops: Operation[];
  let components: Record<string, never>;
  let fp: Fingerprinter;

  before(async function () {
    this.timeout(300_000);
    world = await buildWorld();
    const doc = (await world.h.call('GET', '/openapi.json')).body;
    ops = operationsOf(doc);
    components = doc.components.schemas;
    fp = await fingerprinter(world.dbs.admin);
  });
  after(async () => world?.h.close());

  it('never answers 5xx, names the field of a 400, and writes nothing for a refusal', async () => {
    /** The tables' fingerprint, valid while the next transaction id is still `xid`. */
    let known: { xid: string; tables: Fingerprint } | undefined;
    const counts = new Map<string, Record<string, number>>();
    const spent = new Map<string, number>();
    const started = Date.now();
    const check = async (c: FuzzCase) => {
      if (process.env.FUZZ_PRINT) console.log(`${describeCase(c)}\n`);
      const xidBefore = await fp.nextXid();
      if (known?.xid !== xidBefore) known = { xid: xidBefore, tables: await fp.take() };
      const before = known.tables;
      let reply: RawReply;
      const sent = Date.now();
      try {
        reply = await rawRequest(world.h.url, { method: c.method, path: c.path, headers: c.headers, body: c.body, timeoutMs: 30_000 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${describeCase(c)}`);
      }
      spent.set(c.op, (spent.get(c.op) ?? 0) + (Date.now() - sent));
      const byStatus = counts.get(c.op) ?? {};
      byStatus[reply.status] = (byStatus[reply.status] ?? 0) + 1;
      counts.set(c.op, byStatus);
      const fail = (why: string) => {
        const logged = world.serverErrors.get(String(reply.headers['x-request-id']));
        return new Error(`${why}\n${describeCase(c)}\nanswer:    ${reply.status} ${reply.text.slice(0, 1500)}${logged ? `\nserver:    ${logged.slice(0, 3000)}` : ''}`);
      };
      if (reply.status >= 500) throw fail(`answered ${reply.status}`);
      // Node itself answers 431 to a request line or headers past its limit, before the API sees it.
      if (c.mustRefuse && ![400, 413, 431].includes(reply.status)) throw fail(`answered ${reply.status} to a request that breaks the input rules (400 expected)`);
      if (reply.status === 400 && !(reply.json?.error?.details?.length > 0)) throw fail('a 400 that names no field');
      if (reply.status < 400) return;
      const xidAfter = await fp.nextXid();
      if (xidAfter === xidBefore) return;
      const after = await fp.take();
      known = { xid: xidAfter, tables: after };
      const written = changedTables(before, after).filter((t) => !mayWrite(c, reply.status, t));
      if (written.length) throw fail(`a refused request wrote to ${written.join(', ')}`);
    };

    try {
      await fc.assert(fc.asyncProperty(caseArbitrary(ops, world, components), check), {
        seed: SEED,
        numRuns: RUNS,
        ...(PATH ? { path: PATH } : {}),
        // Shrinking replays requests against a server whose state has moved on: the first failing
        // case, with its seed and path, is the useful report.
        endOnFailure: true,
      });
    } finally {
      const total = [...counts.values()].reduce((n, byStatus) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
      const summary = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([op, byStatus]) => `  ${op}: ${JSON.stringify(byStatus)} in ${((spent.get(op) ?? 0) / 1000).toFixed(1)} s`);
      console.log(`  ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); answers by operation:\n${summary.join('\n')}`);
    }
    const untried = ops.filter((o) => !counts.has(o.id)).map((o) => o.id);
    if (RUNS >= 1000 && untried.length) throw new Error(`operations never called: ${untried.join(', ')}`);
  });

  it('left no workflow failed, or retrying an activity or a workflow task that failed', async () => {
    // What the API accepted must not have wedged a workflow (as a NUL in a decision's reason once did).
    const client = world.h.temporal.client;
    const problems: string[] = [];
    let listed = 0;
    for await (const wf of client.workflow.list({ query: `TaskQueue = '${world.h.taskQueue}'` })) {
      listed += 1;
      if (wf.status.name === 'FAILED' || wf.status.name === 'TERMINATED' || wf.status.name === 'TIMED_OUT') {
        problems.push(`${wf.workflowId}: ${wf.status.name}`);
        continue;
      }
      if (wf.status.name !== 'RUNNING') continue;
      const d = (await client.workflow.getHandle(wf.workflowId, wf.runId).describe()).raw;
      for (const a of d.pendingActivities ?? []) {
        if ((a.attempt ?? 1) > 1 && a.lastFailure) problems.push(`${wf.workflowId}: activity ${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure.message}`);
      }
      if ((d.pendingWorkflowTask?.attempt ?? 1) > 1) problems.push(`${wf.workflowId}: workflow task attempt ${d.pendingWorkflowTask!.attempt}`);
    }
    // The set-up alone ran application and loan workflows: none listed means the query is wrong.
    if (listed < 4) throw new Error(`listed ${listed} workflows on ${world.h.taskQueue}; the set-up ran more`);
    if (problems.length) throw new Error(`workflows in trouble after the fuzz run (seed ${SEED}):\n${problems.join('\n')}`);
  });
});
