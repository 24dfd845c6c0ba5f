/**
 * The baseline of bench:worker: a workflow that does nothing but answer a query and sleep, as a
 * loan does between checkpoints (one timer). Bundled on its own: only @temporalio/workflow.
 */
import { defineQuery, setHandler, sleep } from '@temporalio/workflow';

export const noopStateQuery = defineQuery<{ status: string }>('noopState');

export async function noop(): Promise<void> {
  const state = { status: 'WAITING' };
  setHandler(noopStateQuery, () => state);
  await sleep('3650 days');
}
