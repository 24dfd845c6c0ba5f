import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, Turns } from '../common';
import type { FollowUpActivities } from '../../activities/follow-up';
import { businessDateOf } from '../../domain/business-day';
import { businessDayStartMs } from '../../domain/loan-calendar';
import { followUpStateQuery, followUpVisitUpdate, type FollowUpInput, type FollowUpState } from '../definitions';
import { FollowUpMachine } from './state';

// Every activity is idempotent by its key, so retrying a fault that heals is safe.
const acts = proxyActivities<FollowUpActivities>(ACTIVITY_OPTIONS);
const today = () => businessDateOf(Date.now());

/**
 * The follow-up of one disbursed loan's business (docs/programmes.md "Follow-up of businesses"):
 * the visits of its policy version, each a timer. At a visit's due date the officers are reminded
 * (it appears in their tasks, and the reminder is audited); unrecorded past its days it is marked
 * overdue. Visits arrive as updates, each checked by the validator. The workflow ends once every
 * visit is recorded; a late visit may still be recorded after it was marked overdue.
 */
export async function followUp(input: FollowUpInput): Promise<FollowUpState> {
  const m = new FollowUpMachine(input);
  const turns = new Turns();
  const wfId = workflowInfo().workflowId;
  let changed = false;
  setHandler(followUpStateQuery, () => m.state);
  setHandler(
    followUpVisitUpdate,
    (b, meta) =>
      turns.take(async () => {
        try {
          const t = today();
          m.checkVisit(b, meta.actor, t);
          const late = m.isLate(b.months, t);
          await acts.recordFollowUpVisit({
            key: `${wfId}:visit:${b.months}`, loanId: input.loanId, months: b.months, visit: b, late,
            actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
          });
          m.recorded(b, late);
          return m.state;
        } finally {
          changed = true;
        }
      }),
    { validator: (b, meta) => m.checkVisit(b, meta.actor, today()) },
  );

  await acts.scheduleFollowUp({ key: `${wfId}:scheduled`, loanId: input.loanId, visits: m.state.visits.map(({ months, dueOn, overdueOn }) => ({ months, dueOn, overdueOn })) });

  while (!m.done) {
    const next = m.next();
    changed = false;
    if (!next) {
      // Every visit left is reminded and marked overdue: only its recording is awaited.
      await condition(() => changed);
      continue;
    }
    const wait = businessDayStartMs(next.on) - Date.now();
    if (wait > 0 && (await condition(() => changed, wait))) continue;
    await turns.take(async () => {
      if (next.visit.recorded) return;
      const step = { key: `${wfId}:${next.kind}:${next.visit.months}`, loanId: input.loanId, months: next.visit.months };
      if (next.kind === 'reminder') {
        await acts.remindFollowUpVisit(step);
        next.visit.reminded = true;
      } else {
        await acts.markFollowUpVisitOverdue(step);
        next.visit.overdueMarked = true;
      }
    });
  }
  await condition(() => turns.idle && allHandlersFinished());
  return m.state;
}
