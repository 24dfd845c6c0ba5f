/**
 * One worker of bench:worker, in a process of its own so that its RSS is the worker's alone:
 * `loan` is loanflow's worker as `npm run worker` creates it (its workflows, activities and cache
 * settings from config); `noop` is a worker of the no-op workflow alone, with the same cache size;
 * `money` the no-op workflow with domain/money.ts (decimal.js).
 * Talks to bench/worker.ts over IPC: it says when it is ready, and answers `measure` with its
 * memory after a full garbage collection and its workflow-task counters (from the core's metrics).
 *
 *   node --expose-gc --import tsx bench/worker-child.ts <loan|noop|money> <address> <taskQueue> <metricsPort>
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { pipeline } from 'node:stream/promises';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { Runtime, Worker, bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../db/knex';
import { createLoanflowWorker, limitWorkflowHeap } from '../scripts/lib/worker';
import { loadConfig, workerCacheSize } from '../config';

const [kind, address, taskQueue, metricsPort] = process.argv.slice(2) as [string, string, string, string];

export interface ChildMeasure {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** /proc/self/smaps_rollup: anonymous memory (heaps of every thread, native allocations) and file-backed pages. */
  anonymous: number;
  fileBacked: number;
  /**
   * Resident anonymous bytes by where they sit (/proc/self/smaps): `brk` the main malloc arena,
   * `arenas` mappings at 64 MiB boundaries (glibc's per-thread malloc arenas, where the SDK's Rust
   * core and V8's own C++ allocations go), `other` the rest (V8's heap pages, large mmaps).
   */
  anonBy: { brk: number; arenas: number; other: number };
  cached: number;
  /** Workflow tasks completed (the core's counter). */
  tasks: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function counters(): Promise<{ tasks: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { tasks: sum('temporal_workflow_task_execution_latency_count') };
}

/** Resident anonymous and file-backed bytes, from /proc/self/smaps_rollup (0 where there is none). */
function smaps(): { anonymous: number; fileBacked: number } {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
  } catch {
    return { anonymous: 0, fileBacked: 0 };
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const anonymous = kb('Anonymous');
  return { anonymous, fileBacked: kb('Rss') - anonymous };
}

function anonymousByMapping(): ChildMeasure['anonBy'] {
  const by = { brk: 0, arenas: 0, other: 0 };
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return by;
  }
  let where: keyof typeof by = 'other';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const start = BigInt(`0x${head[1]}`);
      where = head[2] === '[heap]' ? 'brk' : start % (64n * 1024n * 1024n) === 0n ? 'arenas' : 'other';
      continue;
    }
    const anon = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (anon) by[where] += Number(anon[1]) * 1024;
  }
  return by;
}

/**
 * The SDK's workflow threads (worker_threads, one V8 heap each, where every workflow runs): not a
 * public API, read for heap snapshots only (bench:worker --heap-snapshots).
 */
function workflowThreads(worker: Worker): ThreadWorker[] {
  const creator = (worker as unknown as { workflowCreator?: { workerThreadClients?: Array<{ workerThread: ThreadWorker }> } }).workflowCreator;
  return (creator?.workerThreadClients ?? []).map((c) => c.workerThread);
}

/** Writes `<prefix>-main.heapsnapshot` and one `<prefix>-wf<i>.heapsnapshot` per workflow thread (each snapshot collects garbage first). */
async function writeSnapshots(worker: Worker, prefix: string): Promise<string[]> {
  const files = [v8.writeHeapSnapshot(`${prefix}-main.heapsnapshot`)];
  for (const [i, thread] of workflowThreads(worker).entries()) {
    const file = `${prefix}-wf${i}.heapsnapshot`;
    await pipeline(await thread.getHeapSnapshot(), fs.createWriteStream(file));
    files.push(file);
  }
  return files;
}

async function main() {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } },
  });
  const config = loadConfig();
  let worker: Worker;
  let connection: NativeConnection;
  if (kind === 'loan') {
    // As scripts/worker.ts creates it; the database is never reached (no loan activity runs).
    const db = createDb('postgres://bench@127.0.0.1:1/none');
    ({ worker, connection } = await createLoanflowWorker({ address, namespace: 'default', taskQueue, db, config }));
  } else {
    connection = await NativeConnection.connect({ address });
    limitWorkflowHeap(config);
    const bundle: WorkflowBundleOption = await bundleWorkflowCode({ workflowsPath: require.resolve(kind === 'money' ? './noop-money-workflow' : './noop-workflow'), logger: new DefaultLogger('WARN') });
    worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      maxCachedWorkflows: workerCacheSize(config),
    });
  }
  process.on('message', (m: { snapshot?: string }) => {
    if (!m.snapshot) return;
    void writeSnapshots(worker, m.snapshot).then((files) => process.send!({ snapshotFiles: files }));
  });
  process.on('message', (m: { measure?: true }) => {
    if (!m.measure) return;
    gc();
    const mem = process.memoryUsage();
    void counters().then((c) =>
      process.send!({ measure: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, arrayBuffers: mem.arrayBuffers, ...smaps(), anonBy: anonymousByMapping(), cached: worker.getStatus().numCachedWorkflows, ...c } satisfies ChildMeasure }),
    );
  });
  const running = worker.run();
  process.send!({ ready: true });
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((e) => {
  console.error(`worker-child ${kind}:`, e);
  process.exit(1);
});
