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
