import { proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, LOCAL_ACTIVITY_OPTIONS, Turns } from '../common';
import type { FollowUpActivities } from '../../activities/follow-up';
import { businessDateOf } from '../../domain/business-day';
import { followUpStateQuery, followUpVisitUpdate } from '../definitions';
import type { FollowUpMachine } from './state';

// Every activity is idempotent by its key, so retrying a fault that heals is safe.
export const acts = proxyActivities<FollowUpActivities>(ACTIVITY_OPTIONS);
/** The schedule's one short write, run within the first workflow task (workflows/common.ts). */
export const localActs = proxyLocalActivities<FollowUpActivities>(LOCAL_ACTIVITY_OPTIONS);

export const today = () => businessDateOf(Date.now());

/** One run of the follow-up workflow: its machine, the turns visits and timers take, the keys. */
export class FollowUpRun {
  readonly turns = new Turns();
  /** Set whenever a visit was recorded: the main loop's wait wakes and looks again. */
  changed = false;
  readonly wfId = workflowInfo().workflowId;

  constructor(readonly m: FollowUpMachine) {}

  key(step: string, months?: number): string {
    return months === undefined ? `${this.wfId}:${step}` : `${this.wfId}:${step}:${months}`;
  }
}

/**
 * The query and the visit update. The validator refuses, at once and without side effects, a visit
 * from the wrong person or one that does not fit the schedule; the handler takes its turn, checks
 * again and records.
 */
export function setFollowUpHandlers(run: FollowUpRun): void {
  const { m } = run;
  setHandler(followUpStateQuery, () => m.state);
  setHandler(
    followUpVisitUpdate,
    (b, meta) =>
      run.turns.take(async () => {
        try {
          const t = today();
          m.checkVisit(b, meta.actor, t);
          const late = m.isLate(b.months, t);
          await acts.recordFollowUpVisit({
            key: run.key('visit', b.months), loanId: m.input.loanId, months: b.months, visit: b, late,
            actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
          });
          m.recorded(b, late);
          return m.state;
        } finally {
          run.changed = true;
        }
      }),
    { validator: (b, meta) => m.checkVisit(b, meta.actor, today()) },
  );
}
