import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError, type WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition, type Workflow } from '@temporalio/common';
import { DomainError, isErrorCode, type DomainErrorCode, type ErrorDetail } from '../domain/errors';
import { failureTypes, type DecisionMeta, type FilingOutcome } from '../workflows/definitions';
import type { Caller, RequestIds, WorkflowDeps } from './deps';

/** gRPC's NOT_FOUND: what the server answers for an update to a workflow that has finished. */
const GRPC_NOT_FOUND = 5;

/** Failure types of the workflows that are not themselves error codes, and the code each means. */
const codeOfType: Record<string, DomainErrorCode> = { [failureTypes.notCurrent]: 'INVALID_STATE' };

/** A workflow's validator or activity refused: its failure type, and the code it means. */
export class WorkflowRefusal extends DomainError {
  constructor(
    readonly type: string,
    code: DomainErrorCode,
    message: string,
    details: ErrorDetail[],
  ) {
    super(code, message, details);
  }
}

/** The workflow has finished: it takes no update. The use case says what became of its subject. */
export class WorkflowClosedError extends DomainError {
  constructor() {
    super('INVALID_STATE', 'No decision is possible: the workflow has finished');
  }
}

function codeOf(type: string | undefined | null): DomainErrorCode | undefined {
  if (!type) return undefined;
  return isErrorCode(type) ? type : codeOfType[type];
}

/** The typed failure of a refusal, found along the error's causes (update → activity → failure). */
function typedFailure(e: unknown): ApplicationFailure | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof ApplicationFailure && codeOf(cur.type)) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function isClosed(e: unknown): boolean {
  return e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError || (isGrpcServiceError(e) && e.code === GRPC_NOT_FOUND);
}

/** A workflow's answer to an update as a typed error: a refusal with its code, or a finished workflow. */
export function workflowError(e: unknown): unknown {
  const failure = typedFailure(e);
  if (failure) {
    // Refusals carry their field details as the failure's first detail (workflows/common.ts `fail`).
    const raw = failure.details?.[0];
    return new WorkflowRefusal(failure.type!, codeOf(failure.type)!, failure.message, Array.isArray(raw) ? (raw as ErrorDetail[]) : []);
  }
  if (isClosed(e)) return new WorkflowClosedError();
  return e;
}

/** Sends an update (or anything that asks a workflow) and throws what it answered as a typed error. */
export async function asking<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    throw workflowError(e);
  }
}

/** A decision's request: its ids, and the Temporal update id that makes a retry the same update (api/updates.ts). */
export type DecisionRequest = RequestIds & { updateId?: string };

/** Finds the caller's object, sends a decision to its workflow, and answers with the object as it now stands. */
export type Decide<V> = (deps: WorkflowDeps, caller: Caller, id: string, request: DecisionRequest, send: (h: WorkflowHandle, meta: DecisionMeta) => Promise<unknown>) => Promise<V>;

/** The use cases of decisions sent through `decide`: each one update of the workflow, its body the update's argument. */
export function decisionsVia<V>(decide: Decide<V>) {
  return <B>(update: UpdateDefinition<unknown, [B, DecisionMeta]>) =>
    (deps: WorkflowDeps, caller: Caller, id: string, body: B, r: DecisionRequest): Promise<V> =>
      decide(deps, caller, id, r, (h, meta) => h.executeUpdate(update, { args: [body, meta], updateId: r.updateId }));
}

/**
 * Files by update-with-start: the filing update reaches the workflow with its first task (started
 * and then updated, a filing the workflow refuses at once would close it before the update
 * arrived). When the workflow id is already taken, `started` answers: this request's first attempt,
 * or another filing in progress. A refusal throws the error its code names.
 */
export async function fileWithStart<W extends Workflow, C>(
  deps: WorkflowDeps,
  update: UpdateDefinition<FilingOutcome<C>, []>,
  start: WithStartWorkflowOperation<W>,
  started: () => Promise<FilingOutcome<C>>,
): Promise<C> {
  let result: FilingOutcome<C>;
  try {
    result = await deps.temporal.workflow.executeUpdateWithStart(update, { startWorkflowOperation: start });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    result = await started();
  }
  if (result.outcome === 'refused') throw new DomainError(isErrorCode(result.type) ? result.type : 'UNPROCESSABLE', result.message, result.details);
  return result.claim;
}
