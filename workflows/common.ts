import type { UpdateDefinition } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, condition, setHandler, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';

/**
 * What every business workflow shares: how activities are retried, and how a refusal is thrown.
 *
 * A retry policy with no limit is only for faults that can heal (the database restarting, a lost
 * connection). Bad data cannot heal: the activities throw it as a non-retryable failure
 * (activities/failures.ts), and the workflow records it and stays decidable (docs/security.md).
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
};

/**
 * For steps that are one short transaction (an application's steps, a loan's): run as local
 * activities, by the worker within the workflow task that asks for them, so a decision costs one
 * workflow task and no activity task (docs/architecture.md, "Steps are local activities"). The
 * same retries: past a minute they wait on a timer, so a long outage holds no workflow task.
 */
export const LOCAL_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: ACTIVITY_OPTIONS.retry,
  localRetryThreshold: '1 minute',
};

export function fail(type: string, message: string, details: Array<{ path: string; message: string }> = []): never {
  throw ApplicationFailure.create({ type, message, details: [details], nonRetryable: true });
}

/** The refusal an activity gave for good (bad data, a rule), or undefined for anything else. */
export function finalRefusal(e: unknown): ApplicationFailure | undefined {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? cause : undefined;
}

/**
 * The one rule for decisions that arrive together: a decision arriving while another is being
 * recorded waits its turn, then is validated again against the state the one before left (its
 * update validator has already refused, at once, what was wrong when it arrived). Turns are served
 * in arrival order, one at a time: each waiter waits for its own ticket, so two waiters can never
 * both see the workflow free in the same activation.
 */
export class Turns {
  private issued = 0;
  private serving = 0;

  async take<T>(fn: () => Promise<T>): Promise<T> {
    const ticket = this.issued++;
    await condition(() => this.serving === ticket);
    try {
      return await fn();
    } finally {
      this.serving += 1;
    }
  }

  /** No decision is being recorded or waiting. */
  get idle(): boolean {
    return this.serving === this.issued;
  }
}

/**
 * An update that answers once the workflow knows the answer (the intake's outcome, the filing's):
 * the caller that started the workflow waits on it and hears the result in the same round trip.
 */
export function answerWhenReady<T>(update: UpdateDefinition<T, []>, answer: () => T | undefined): void {
  setHandler(update, async () => {
    await condition(() => answer() !== undefined);
    return answer()!;
  });
}
