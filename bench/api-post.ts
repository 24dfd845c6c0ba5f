/**
 * npm run bench:api-post — `POST /v1/applications` (intake) through the whole API, against a bare
 * Express server that parses the same body with the same zod schema and answers with an
 * update-with-start of a no-op workflow with one activity (bench/stack/server.ts), on the same
 * worker and Temporal dev server. Goals: a throughput ratio of at least 0.5 at 20 connections, and
 * a p99 under 300 ms at a fixed 20 requests/s.
 *
 * The load is autocannon's (a maintained HTTP load generator: connections, a fixed overall rate,
 * latency histograms), not a loop of our own. Each subject request is a new applicant's submission
 * (one application in progress per person), with its bearer token and an Idempotency-Key, as the
 * console sends it. Each baseline/subject pair is measured --repeat times (default 3), alternating,
 * after a warm-up of both; the median pair by ratio is reported. Then each is run at a fixed rate.
 *
 * Options: --requests N (per measurement, default 400), --connections N (default 20),
 * --rate N (requests/s of the fixed-rate run, default 20), --seconds N (its length, default 15),
 * --repeat N.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { startStack } from './stack/stack';
import { applicationBody, seedApplicants, tokenFor } from './stack/people';
import { intArg, runMain } from './cli';
import { fmt, medianPair } from './stack/measure';
import { printResult } from './result';

const N = intArg('requests', 400);
const CONNECTIONS = intArg('connections', 20);
const RATE = intArg('rate', 20);
const SECONDS = intArg('seconds', 15);
const REPEAT = intArg('repeat', 3);
const WARMUP = Math.min(N, 60);

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
}

async function main() {
  const stack = await startStack();
  try {
    const community = await stack.db('organisations').where({ type: 'community' }).orderBy('created_at').first('id');
    const total = 2 * WARMUP + N * REPEAT * 2 + RATE * SECONDS * 2;
    const people = await seedApplicants(stack.owner, total);
    // Signed beforehand: autocannon builds each request synchronously.
    const tokens = await Promise.all(people.map((a) => tokenFor(stack.jwtSecret, a.caller)));
    let nextPerson = 0;

    /** One request's body and headers: the next applicant, as the console would send it. */
    const nextRequest = () => {
      const i = nextPerson++;
      const a = people[i];
      if (!a) throw new Error('ran out of seeded applicants');
      return {
        body: JSON.stringify(applicationBody(a, community.id)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}`, 'idempotency-key': randomUUID() },
      };
    };

    const load = async (url: string, o: { amount: number; connections: number; overallRate?: number }): Promise<Run> => {
      const result = await autocannon({
        url: `${url}/v1/applications`,
        ...o,
        timeout: 60,
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...nextRequest() }) }],
      });
      const ok = result['2xx'];
      if (ok !== o.amount || result.errors) throw new Error(`${url}: ${ok} of ${o.amount} answered 2xx (${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors)`);
      return { perSecond: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
    };
    const subject = (o: Parameters<typeof load>[1]) => load(stack.apiUrl, o);
    const baseline = (o: Parameters<typeof load>[1]) => load(stack.baselineUrl, o);

    console.log(`warm-up: ${WARMUP} of each`);
    await baseline({ amount: WARMUP, connections: CONNECTIONS });
    await subject({ amount: WARMUP, connections: CONNECTIONS });

    const pairs: Array<{ baseline: Run; subject: Run; ratio: number }> = [];
    for (let r = 0; r < REPEAT; r++) {
      const b = await baseline({ amount: N, connections: CONNECTIONS });
      const s = await subject({ amount: N, connections: CONNECTIONS });
      pairs.push({ baseline: b, subject: s, ratio: s.perSecond / b.perSecond });
      console.log(
        `pair ${r + 1}/${REPEAT}, ${CONNECTIONS} connections: baseline ${fmt(b.perSecond)} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms), ` +
          `POST /v1/applications ${fmt(s.perSecond)} req/s (p50 ${s.p50} ms, p99 ${s.p99} ms), ratio ${fmt(s.perSecond / b.perSecond, 2)}`,
      );
    }
    const m = medianPair(pairs);

    const fixed = { amount: RATE * SECONDS, connections: CONNECTIONS, overallRate: RATE };
    const bFixed = await baseline(fixed);
    const sFixed = await subject(fixed);
    console.log(`at ${RATE} req/s for ${SECONDS} s: baseline p50 ${bFixed.p50} ms, p99 ${bFixed.p99} ms; POST /v1/applications p50 ${sFixed.p50} ms, p99 ${sFixed.p99} ms`);
    console.log(`median pair: ratio ${fmt(m.ratio, 2)} (goal ≥ 0.5); p99 at ${RATE} req/s ${sFixed.p99} ms (goal < 300 ms)`);

    printResult([
      {
        name: `api-post: POST /v1/applications (${CONNECTIONS} connections)`,
        baseline: `${fmt(m.baseline.perSecond)} req/s (Express + zod + update-with-start, no-op)`,
        subject: `${fmt(m.subject.perSecond)} req/s`,
        ratio: fmt(m.ratio, 2),
        goal: '≥ 0.5',
        met: m.ratio >= 0.5,
        cause: 'the intake is one local-activity transaction plus the use case\'s reads (community, policy, the answer read back) beside the baseline\'s no-op; on a loaded machine runs move across 0.5 (docs/benchmarks.md, bench:api-post)',
      },
      {
        name: `api-post: p99 at ${RATE} req/s`,
        baseline: `${bFixed.p99} ms`,
        subject: `${sFixed.p99} ms (p50 ${sFixed.p50} ms)`,
        ratio: '—',
        goal: '< 300 ms',
        met: sFixed.p99 < 300,
        cause: `the baseline's own p99 here was ${bFixed.p99} ms: on two shared cores the queue, not the request, sets the tail; it would take a quiet machine or a worker and API on cores of their own (docs/benchmarks.md, bench:api-post)`,
      },
    ]);
  } finally {
    await stack.stop();
  }
}

runMain(main);
