import v8 from 'node:v8';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { systemClock } from '../../activities/clock';
import { workerCacheSize, workflowHeapMb, type Config } from '../../config';
import { PRELOADED_WORKFLOW_MODULES } from './workflow-bundle';

/**
 * Bounds the V8 heap of the thread the workflows will run in (the SDK starts it in Worker.create):
 * V8 otherwise lets garbage grow towards its default limit (a quarter of the machine's memory)
 * before collecting, and a worker whose cache is bounded still grew past its budget. V8 flags set
 * now apply to isolates made later, so the main thread keeps its own limit.
 */
export function limitWorkflowHeap(config: Pick<Config, 'WORKER_MEMORY_MB' | 'WORKER_MAX_CACHED_WORKFLOWS'>): number {
  const mb = workflowHeapMb(config);
  v8.setFlagsFromString(`--max-old-space-size=${mb}`);
  return mb;
}

/**
 * Creates the loanflow worker: all workflows, all activities, one task queue. The workflow cache
 * is bounded by config (WORKER_MAX_CACHED_WORKFLOWS / WORKER_MEMORY_MB, docs/operations.md): the
 * SDK's default is sized from the V8 heap limit and, at about 1 MiB per cached loan, fills the heap.
 */
export async function createLoanflowWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  db: Knex;
  config: Pick<Config, 'WORKER_MEMORY_MB' | 'WORKER_MAX_CACHED_WORKFLOWS'>;
  /** A pre-built bundle (scripts/lib/workflow-bundle.ts); without one the SDK bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address });
  limitWorkflowHeap(opts.config);
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../../workflows'), bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } }),
    activities: createActivities({ db: opts.db, clock: systemClock }),
    maxCachedWorkflows: workerCacheSize(opts.config),
  });
  return { worker, connection };
}
