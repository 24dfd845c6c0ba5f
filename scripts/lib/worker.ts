import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { systemClock } from '../../activities/clock';

/** Creates the loanflow worker: all workflows, all activities, one task queue. */
export async function createLoanflowWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  db: Knex;
  workflowBundle?: WorkflowBundleOption;
  /** Signals on which the worker drains by itself; the all-in-one launcher handles signals itself. */
  shutdownSignals?: NodeJS.Signals[];
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    activities: createActivities({ db: opts.db, clock: systemClock }),
    ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}),
  });
  return { worker, connection };
}
