import { ApplicationFailure } from '@temporalio/activity';
import { DomainError } from '../domain/errors';
import { LedgerError } from '../db/ledger/errors';
import { failureTypes } from '../workflows/definitions';

/**
 * Errors an activity must not retry: PostgreSQL refusing the data itself (SQLSTATE class 22, data
 * exception — e.g. a NUL character in text, a number out of range; class 23, integrity — a check
 * or a unique key the activity did not expect) and the schema's own refusals (LFxxx, FNxxx codes
 * raised by the ledger's and finance's functions). Retrying them would fail the same way forever
 * and hold the workflow's step (the probe run wedged an application with a NUL in a reason).
 * Anything else — connections, timeouts, locks, privileges a DBA may fix — is retried.
 */
const FINAL_SQLSTATE = /^(22|23|LF|FN)/;

export function isFinalDatabaseError(e: unknown): e is { code: string; message: string } {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && code.length === 5 && FINAL_SQLSTATE.test(code);
}

/**
 * Wraps each activity so a refusal of a rule (a DomainError: its code is the failure's type; a
 * LedgerError) and a final database error fail it for good, with a message fit for the API.
 */
export function finalOnBadData<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (e instanceof DomainError) throw ApplicationFailure.nonRetryable(e.message, e.code, ...e.details);
        // The ledger's refusals (a posting that does not balance, an account no kind of the chart
        // matches, a short balance) are rules, and fail the same way on every retry.
        if (e instanceof LedgerError) {
          throw ApplicationFailure.create({ type: failureTypes.unprocessable, message: e.message, details: [e.details], nonRetryable: true });
        }
        if (isFinalDatabaseError(e)) {
          throw ApplicationFailure.create({
            type: failureTypes.unprocessable,
            message: `The database refused the data of this step (SQLSTATE ${e.code}); nothing of it was recorded`,
            // The driver's own words (knex prefixes the statement, which stays out of the history).
            details: [[{ path: '(record)', message: String(e.message).split(' - ').pop() }]],
            nonRetryable: true,
          });
        }
        throw e;
      }
    };
  }
  return out as T;
}
