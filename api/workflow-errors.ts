import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError, type ErrorCode, type ErrorDetail } from './errors';

const codes = new Set<ErrorCode>(['INVALID_STATE', 'FORBIDDEN', 'VALIDATION_FAILED', 'CONFLICT', 'UNPROCESSABLE', 'NOT_FOUND']);

function findApplicationFailure(e: unknown): ApplicationFailure | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof ApplicationFailure && cur.type && codes.has(cur.type as ErrorCode)) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function isCompleted(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  const msg = e instanceof Error ? e.message : '';
  return /already completed|workflow execution not found|not found/i.test(msg) && (e as { code?: number }).code === 5;
}

/**
 * Turns what Temporal answered to an update into the API's error: a validator's or activity's
 * refusal keeps its type (INVALID_STATE → 409, FORBIDDEN → 403, ...) and field details; an
 * update to a finished workflow is INVALID_STATE with the final status.
 */
export function updateErrorToApi(e: unknown, finalStatus: () => Promise<string | undefined>): Promise<never> {
  const failure = findApplicationFailure(e);
  if (failure) {
    const raw = failure.details?.[0];
    const details = Array.isArray(raw) ? (raw as ErrorDetail[]) : [];
    return Promise.reject(new ApiError(failure.type as ErrorCode, failure.message, details));
  }
  if (e instanceof WorkflowUpdateFailedError || isCompleted(e)) {
    return finalStatus().then((s) => {
      throw new ApiError('INVALID_STATE', `No decision is possible: the application is ${s ?? 'closed'}`);
    });
  }
  return Promise.reject(e);
}
