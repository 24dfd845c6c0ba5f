import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { businessDateOf } from '../domain/business-day';
import { DomainError } from '../domain/errors';
import type { Role } from '../domain/enums';
import type { Clock } from './clock';
import type { Actor, DecisionMeta } from '../workflows/definitions';

/** What a use case needs: the records, and the day it is (injectable for tests). */
export interface RecordsDeps {
  db: Knex;
  /** The moment used for "today" (back-dating windows, future dates, posting dates). */
  now?: () => Date;
  logger?: Logger;
}

/** What a workflow's step (run by an activity) needs: the records, and the clock it is recorded by. */
export interface StepDeps {
  db: Knex;
  clock: Clock;
}

/** A use case that also starts or asks a workflow. */
export interface WorkflowDeps extends RecordsDeps {
  temporal: Client;
  taskQueue: string;
}

/** Today's business date for these deps. */
export function todayOf(deps: { now?: () => Date }): string {
  return businessDateOf(deps.now?.() ?? new Date());
}

export type { Actor, DecisionMeta } from '../workflows/definitions';
export type { Viewer } from '../db/repositories/applications';

/** Who is asking, as the API has signed them in: the rules of visibility and ownership read it. */
export interface Caller {
  id: string;
  username: string;
  role: Role;
  orgId: string | null;
  idNumber: string | null;
}

/** The HTTP request that carried a decision: both ids go into the audit row. */
export interface RequestIds {
  requestId: string;
  clientRequestId: string | null;
}

/** The Idempotency-Key a request runs under, and when this use of the key began (api/idempotency.ts). */
export interface KeyUse {
  key: string;
  since: string;
  /** Taken over from an attempt that died without its reply, which may have committed. */
  retried?: boolean;
}

/** The HTTP request of a create or a decision, with the Idempotency-Key it runs under, if any. */
export interface KeyedRequest extends RequestIds {
  idempotency?: KeyUse | null;
}

/**
 * Runs a create or a decision whose first attempt may have committed and died before its reply
 * was stored (docs/architecture.md, "Idempotency"). When the request retries its key (one taken
 * over from an attempt that died without storing its reply), `own` first looks for the record as
 * this request would have made it: the caller's, since `since` (when the key was first used, a
 * timestamptz as text), with this request's values. Found, it is the answer, whatever `run`'s
 * checks would say now (the year may have ended since); else `run` runs, and when it is refused
 * because the record exists or the decision was made (`taken`, a racing first attempt), `own`
 * looks once more. A fresh key or another caller always meets `run` and its refusals.
 */
export async function answeringOwnRetry<T>(
  request: { idempotency?: KeyUse | null },
  run: () => Promise<T>,
  taken: (e: unknown) => boolean,
  own: (since: string) => Promise<T | undefined>,
): Promise<T> {
  const key = request.idempotency;
  if (key?.retried === true) {
    const first = await own(key.since);
    if (first !== undefined) return first;
  }
  try {
    return await run();
  } catch (e) {
    if (key?.retried === true && taken(e)) {
      const mine = await own(key.since);
      if (mine !== undefined) return mine;
    }
    throw e;
  }
}

/** Whether an error is the refusal of a use case by its code (DomainError, FinanceError). */
export const refusedAs =
  (...codes: string[]) =>
  (e: unknown): boolean =>
    codes.includes((e as { code?: string })?.code ?? '');

/**
 * The id of what a request creates (an application, a claim): derived from the caller, the
 * Idempotency-Key and when this use of the key began, when there is a key; else random. A retry
 * under the key (after a server fault, which keeps the key's row) finds its first attempt; the key
 * reused after it expired is a new request (docs/architecture.md, "Idempotency").
 */
export function idOfRequest(kind: string, userId: string, key: KeyUse | null | undefined): string {
  if (!key) return randomUUID();
  const h = createHash('sha256').update(`${kind}:${userId}:${key.key}:${key.since}`).digest('hex');
  // Formatted as a version-4-style UUID (the variant and version bits set).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The workflows' (and the audit trail's) view of the caller. */
export function actorOf(u: Caller): Actor {
  return { userId: u.id, username: u.username, role: u.role, orgId: u.orgId };
}

/** A decision's meta: who asked, in which request. */
export function metaOf(u: Caller, r: RequestIds): DecisionMeta {
  return { actor: actorOf(u), requestId: r.requestId, clientRequestId: r.clientRequestId };
}

/**
 * The row a caller may see, found by the visibility rule of its table (docs/domain.md §2.2); else
 * 403 when the row exists (someone else's, `whose` says so) or 404 when it does not.
 */
export async function visibleOr403<T>(db: Knex, table: string, id: string, visible: T | undefined, what: string, whose: string): Promise<T> {
  if (visible) return visible;
  const exists = await db(table).where({ id }).first('id');
  if (exists) throw new DomainError('FORBIDDEN', `${what} ${id} ${whose}`);
  throw new DomainError('NOT_FOUND', `${what} ${id} not found`);
}
