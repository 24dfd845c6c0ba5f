import { allHandlersFinished, condition } from '@temporalio/workflow';
import { finalRefusal } from '../common';
import type { ApplicationInput, ApplicationState } from '../definitions';
import { ApplicationMachine, WAITING_STEPS, type WaitingStatus } from './state';
import { ApplicationRun, setApplicationHandlers } from './handlers';

const DAY_MS = 24 * 3600 * 1000;

/**
 * One guaranteed start-up loan application, from submission to disbursal (docs/domain.md §1.1–1.5),
 * then following its loan. The state machine is in state.ts, the updates in handlers.ts; this is
 * the run itself: the intake, each officer's step with its deadline, and the wait on the loan.
 */
export async function loanApplication(input: ApplicationInput): Promise<ApplicationState> {
  const m = new ApplicationMachine(input);
  const run = new ApplicationRun(m);
  const { state } = m;

  /** Lets update handlers still answering (intake) finish before the workflow completes. */
  const finished = async () => {
    await condition(allHandlersFinished);
    return state;
  };

  setApplicationHandlers(run);

  // --- Intake: register, check the certificate and eligibility (docs/domain.md §1.1–1.2) ---
  try {
    // One activity, one transaction: registered, checked, and the outcome recorded.
    const out = await run.intake();
    if (!out.ok) {
      m.intake = { outcome: 'conflict', message: out.message };
      return finished();
    }
    if (out.violations.length) {
      m.intake = { outcome: 'rejected', state, violations: out.violations };
      return finished();
    }
  } catch (e) {
    // Refused for good (bad data, no policy in force): the submitter hears why, and nothing waits.
    const r = finalRefusal(e);
    if (!r) throw e;
    run.incident('intake', e);
    const raw = r.details?.[0];
    m.intake = { outcome: 'failed', type: r.type ?? 'UNPROCESSABLE', message: r.message, details: Array.isArray(raw) ? raw : [] };
    return finished();
  }
  m.intake = { outcome: 'accepted', state, violations: [] };

  // --- Officers' steps, each with a deadline: reminder at half time, EXPIRED at the end ---
  const policy = m.policy!;
  while (state.status in WAITING_STEPS) {
    const waiting = state.status as WaitingStatus;
    const { step, days } = WAITING_STEPS[waiting];
    const totalMs = days(policy) * DAY_MS;
    const deadline = Date.parse(state.stepDeadline ?? m.deadlineFor(waiting, Date.now()));
    let reminded = false;
    while (state.status === waiting) {
      const until = reminded ? deadline : deadline - totalMs / 2;
      const left = until - Date.now();
      const moved = left > 0 ? await condition(() => state.status !== waiting || !run.turns.idle, left) : !run.turns.idle;
      if (moved) {
        await condition(() => run.turns.idle);
        continue;
      }
      // The reminder and the expiry take their turn like a decision: one arriving meanwhile waits,
      // then finds the application EXPIRED.
      if (!reminded) {
        reminded = true;
        await run.turns.take(() => run.systemStep(`${step}_reminder`, () => run.record(m.reminder(waiting))));
        continue;
      }
      await run.turns.take(async () => {
        state.status = 'EXPIRED';
        await run.systemStep(step, () => run.record(m.expiry(waiting)));
      });
    }
  }
  // After disbursal the application follows its loan (REPAYING → REPAID / DEFAULTED; the loan's
  // activities keep the read model in step). Waiting costs no history; ABANDON means the loan
  // outlives this workflow should it ever be terminated. (A parent that stays open also receives
  // its child's completion, which the time-skipping test server mishandles for closed parents.)
  if (run.loanRun) {
    const loanRun = await run.loanRun;
    try {
      state.status = (await loanRun.result()).status;
    } catch {
      // A loan terminated by an operator leaves the read model as the loan last wrote it.
    }
  }
  // The follow-up visits may outlast the loan (a loan repaid early is still visited at 12 months).
  if (run.followUpRun) {
    const followUpRun = await run.followUpRun;
    try {
      await followUpRun.result();
    } catch {
      // Terminated by an operator: nothing more to follow.
    }
  }
  return finished();
}
