/**
 * Workflow unit tests: the real workflow code on the time-skipping server, with activities that
 * answer from memory. They run in seconds and cover every transition, deadline and refusal; the
 * end-to-end tests (test/applications, test/loans, test/subsidy) cover the activities themselves.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { terminateOpenWorkflows, testEnv, uniqueTaskQueue } from '../support/env';
import type { Actor, DecisionMeta } from '../../workflows/definitions';

export interface WorkflowWorld {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  close(): Promise<void>;
}

/** A worker on a fresh task queue of the time-skipping server, running `activities`. */
export async function workflowWorld(activities: Record<string, (...args: never[]) => Promise<unknown>>): Promise<WorkflowWorld> {
  const t = await testEnv();
  const env = await t.timeSkipping();
  await terminateOpenWorkflows(env, 'left by an earlier test file');
  const taskQueue = uniqueTaskQueue('wf-unit');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await t.workflowBundle(),
    activities,
  });
  const running = worker.run();
  return {
    env,
    taskQueue,
    async close() {
      await terminateOpenWorkflows(env, 'end of test file');
      worker.shutdown();
      await running;
    },
  };
}

export function actor(role: Actor['role'], orgId: string | null, username: string = role): Actor {
  return { userId: `user-${username}`, username, role, orgId };
}

export function meta(a: Actor): DecisionMeta {
  return { actor: a, requestId: randomUUID() };
}

/** The failure type an update was refused or failed with (validator or handler). */
export async function refusal(p: Promise<unknown>): Promise<{ type: string | undefined; message: string; details: unknown }> {
  try {
    await p;
  } catch (e) {
    let cur: unknown = e;
    while (cur && !(cur instanceof ApplicationFailure)) cur = (cur as { cause?: unknown }).cause;
    if (cur instanceof ApplicationFailure) return { type: cur.type ?? undefined, message: cur.message, details: cur.details?.[0] };
    if (e instanceof WorkflowUpdateFailedError) return { type: undefined, message: e.message, details: undefined };
    throw e;
  }
  throw new Error('expected a refusal, got an answer');
}

/** A promise and its resolver: lets a test hold an activity mid-way. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The rows an activity would write, in memory: by id, updated as `UPDATE … RETURNING` would. */
export class MemoryTable<Row> extends Map<string, Row> {
  /** Merges `change` into the row `id` and returns the row as it is now. */
  update(id: string, change: Partial<Row>): Row {
    const row = { ...this.get(id)!, ...change };
    this.set(id, row);
    return row;
  }
}

/** The finance bureau the claim workflows' tests decide in, and its two people. */
export const BUREAU = 'org-bureau';
export const bureauOfficer = actor('finance_officer', BUREAU, 'officer');
export const bureauApprover = actor('finance_approver', BUREAU, 'approver');
