import { proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { LOCAL_ACTIVITY_OPTIONS, Turns } from '../common';
import type { LoanActivities } from '../../activities/loans';
import { businessDateOf } from '../../domain/business-day';
import { extensionUpdate, loanStateQuery, recoveryUpdate, repaymentUpdate, type DecisionMeta } from '../definitions';
import type { LoanMachine } from './state';

// Every step is one short transaction, idempotent by its key, so retrying a fault that heals is
// safe: a local activity (workflows/common.ts).
export const acts = proxyLocalActivities<LoanActivities>(LOCAL_ACTIVITY_OPTIONS);

export const today = () => businessDateOf(Date.now());

/** One run of the loan workflow: its machine, the turns decisions and checkpoints take, the keys. */
export class LoanRun {
  // Decisions and checkpoints take turns: each sees the loan as the previous one left it.
  readonly turns = new Turns();
  /** Set whenever a turn ended: the main loop's wait wakes and looks again. */
  changed = false;
  private readonly wfId = workflowInfo().workflowId;

  constructor(readonly m: LoanMachine) {}

  /** workflowId:seq:step; seq is carried across runs, so keys never repeat. */
  key(step: string): string {
    return `${this.wfId}:${++this.m.state.seq}:${step}`;
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.turns.take(fn);
    } finally {
      this.changed = true;
    }
  }
}

/**
 * The loan's query and updates: the bank's repayments and extension, the guarantors' recoveries.
 * Each validator refuses, at once and without side effects, anything that does not fit the loan as
 * it stands; each handler takes its turn, checks again (the loan may have moved) and records.
 */
export function setLoanHandlers(run: LoanRun): void {
  const { m } = run;
  const { state } = m;
  setHandler(loanStateQuery, () => state);

  /** What every recorded decision carries: its key, the loan, the day, and who asked in which request. */
  const stepOf = (step: string, meta: DecisionMeta) => ({
    key: run.key(step), loan: m.ref, today: today(), actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
  });

  setHandler(
    repaymentUpdate,
    (b, meta) =>
      run.exclusive(async () => {
        m.requireStatus('REPAYING', 'A repayment');
        const { plan, applied, target, outstanding } = m.planRepayment(b, today());
        await acts.recordRepayment({
          ...stepOf('repayment', meta),
          repayment: b,
          plan: { kind: plan.kind, interestPart: plan.interestPart, principalPart: plan.principalPart },
          periods: [target],
          dropAfter: plan.kind === 'payoff' ? plan.period : null,
          settled: applied.settled,
          repaidInFull: applied.repaidInFull,
          outstanding,
        });
        m.repaid(b, applied);
        return state;
      }),
    {
      validator: (b, meta) => {
        m.requireBank(meta.actor, 'Reporting a repayment');
        m.requireStatus('REPAYING', 'A repayment');
        m.checkRepayment(b, today());
      },
    },
  );

  setHandler(
    extensionUpdate,
    (b, meta) =>
      run.exclusive(async () => {
        m.requireStatus('REPAYING', 'An extension');
        const r = m.checkExtension(b.months, today());
        await acts.recordExtension({
          ...stepOf('extension', meta),
          months: b.months,
          reason: b.reason,
          periods: r.periods.filter((p) => p.period >= r.firstReplanned),
        });
        m.extended(r.periods, b.months);
        return state;
      }),
    {
      validator: (b, meta) => {
        m.requireBank(meta.actor, 'An extension');
        m.requireStatus('REPAYING', 'An extension');
        m.checkExtension(b.months, today());
      },
    },
  );

  setHandler(
    recoveryUpdate,
    (b, meta) =>
      run.exclusive(async () => {
        m.checkRecovery(b, meta.actor, today());
        const { allocation, recoveredAfter } = m.planRecovery(b);
        await acts.recordRecovery({ ...stepOf('recovery', meta), recovery: b, allocation, recoveredAfter });
        m.recovered(b.reference, recoveredAfter);
        return state;
      }),
    { validator: (b, meta) => m.checkRecovery(b, meta.actor, today()) },
  );
}
