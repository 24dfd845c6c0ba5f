/**
 * bench:worker --money: the no-op workflow (noop-workflow.ts) plus domain/money.ts, so decimal.js
 * and loanflow's Money are in its bundle and instantiated in each cached workflow.
 */
import { setHandler, sleep } from '@temporalio/workflow';
import { formatMoney, roundFen } from '../domain/money';
import { noopStateQuery } from './noop-workflow';

export async function noopMoney(): Promise<void> {
  const state = { status: formatMoney(roundFen('80000.004')) };
  setHandler(noopStateQuery, () => state);
  await sleep('3650 days');
}
