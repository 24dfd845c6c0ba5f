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
  process.on('message', (m: { measure?: true }) => {
    if (!m.measure) return;
    gc();
    const mem = process.memoryUsage();
    void counters().then((c) =>
      process.send!({ measure: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, cached: worker.getStatus().numCachedWorkflows, ...c } satisfies ChildMeasure }),
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
