import { allHandlersFinished, condition, continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import { finalRefusal } from '../common';
import { Money } from '../../domain/money';
import { businessDayStartMs, nextCheckpoint } from '../../domain/loan-calendar';
import type { LoanInput, LoanState } from '../definitions';
import { LoanMachine } from './state';
import { LoanRun, acts, setLoanHandlers, today } from './handlers';

export { initialPeriods } from './state';

/** A run covers at most this many due dates before continuing as new, so no history grows without bound. */
export const DUE_DATES_PER_RUN = 12;
const HISTORY_EVENTS_LIMIT = 10_000;

/**
 * One disbursed loan, from its schedule to REPAID or DEFAULTED (docs/domain.md §1.6–1.9), under the
 * policy version of its application. It sleeps until the next due-date checkpoint (a timer); the
 * bank's repayments, an extension and recoveries arrive as updates (handlers.ts) on the state
 * machine of state.ts.
 */
export async function loan(input: LoanInput): Promise<LoanState> {
  const m = new LoanMachine(input);
  const run = new LoanRun(m);
  const { state } = m;
  const runStartedOn = today();
  setLoanHandlers(run);

  async function checkpoints(): Promise<void> {
    const t = today();
    const due = m.checkpoint(t);
    if (due.kind === 'default') {
      const { period, loss, split, periods } = due.record;
      await acts.recordDefault({
        key: run.key('default'), loan: m.ref, today: t, period, loss, split,
        periods: periods.filter((p) => p.status === 'defaulted'),
      });
      m.defaulted(due.record, t);
    } else if (due.kind === 'overdue') {
      await acts.markOverdue({ key: run.key('overdue'), loan: m.ref, today: t, periods: due.marked });
      state.periods = due.periods;
    }
  }

  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_LIMIT;

  async function continueAsNewWhenIdle(): Promise<never> {
    await condition(() => run.turns.idle && allHandlersFinished());
    return continueAsNew<typeof loan>({ ...input, carried: { ...state, run: state.run + 1 } });
  }

  while (state.status === 'REPAYING') {
    if (m.dueDatesSince(runStartedOn, today()) >= DUE_DATES_PER_RUN || historyIsLong()) await continueAsNewWhenIdle();
    const next = nextCheckpoint(state.periods, input.policy);
    const wait = next === undefined ? undefined : businessDayStartMs(next) - Date.now();
    if (wait === undefined || wait > 0) {
      run.changed = false;
      // Wakes at the checkpoint, or earlier when a repayment or an extension moved the plan.
      const moved = wait === undefined ? await condition(() => run.changed || historyIsLong()) : await condition(() => run.changed || historyIsLong(), wait);
      if (moved) continue;
    }
    try {
      await run.exclusive(checkpoints);
    } catch (e) {
      // Refused for good (bad data): recorded, and tried again a day later or when the loan moves;
      // repayments and the extension stay possible meanwhile.
      const r = finalRefusal(e);
      if (!r) throw e;
      state.incidents = [...(state.incidents ?? []), { step: 'checkpoint', at: new Date().toISOString(), type: r.type ?? 'UNPROCESSABLE', message: r.message }];
      log.warn('checkpoint refused for good; retrying tomorrow', { type: r.type, message: r.message });
      run.changed = false;
      await condition(() => run.changed, '1 day');
    }
  }

  // In default the loan stays open for recoveries until the guarantor has been repaid in full.
  while (state.status === 'DEFAULTED' && m.receivable().greaterThan(new Money(0))) {
    run.changed = false;
    await condition(() => run.changed || historyIsLong());
    if (historyIsLong()) await continueAsNewWhenIdle();
  }
  await condition(() => run.turns.idle && allHandlersFinished());
  return state;
}
