import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { businessDayStartMs } from '../../domain/loan-calendar';
import type { FollowUpInput, FollowUpState } from '../definitions';
import { FollowUpMachine } from './state';
import { FollowUpRun, acts, localActs, setFollowUpHandlers } from './handlers';

/**
 * The follow-up of one disbursed loan's business (docs/programmes.md "Follow-up of businesses"):
 * the visits of its policy version, each a timer. At a visit's due date the officers are reminded
 * (it appears in their tasks, and the reminder is audited); unrecorded past its days it is marked
 * overdue. Visits arrive as updates (handlers.ts). The workflow ends once every visit is recorded;
 * a late visit may still be recorded after it was marked overdue.
 */
export async function followUp(input: FollowUpInput): Promise<FollowUpState> {
  const m = new FollowUpMachine(input);
  const run = new FollowUpRun(m);
  setFollowUpHandlers(run);

  // The schedule is written as a local activity: no activity task and no second workflow task
  // before the first timer. A history from before this ran it as an activity and replays so.
  const schedule = patched('follow-up-schedule-local') ? localActs.scheduleFollowUp : acts.scheduleFollowUp;
  await schedule({ key: run.key('scheduled'), loanId: input.loanId, visits: m.state.visits.map(({ months, dueOn, overdueOn }) => ({ months, dueOn, overdueOn })) });

  while (!m.done) {
    const next = m.next();
    run.changed = false;
    if (!next) {
      // Every visit left is reminded and marked overdue: only its recording is awaited.
      await condition(() => run.changed);
      continue;
    }
    const wait = businessDayStartMs(next.on) - Date.now();
    if (wait > 0 && (await condition(() => run.changed, wait))) continue;
    await run.turns.take(async () => {
      if (next.visit.recorded) return;
      const step = { key: run.key(next.kind, next.visit.months), loanId: input.loanId, months: next.visit.months };
      if (next.kind === 'reminder') {
        await acts.remindFollowUpVisit(step);
        next.visit.reminded = true;
      } else {
        await acts.markFollowUpVisitOverdue(step);
        next.visit.overdueMarked = true;
      }
    });
  }
  await condition(() => run.turns.idle && allHandlersFinished());
  return m.state;
}
