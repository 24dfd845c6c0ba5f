import type { Knex } from 'knex';
import { DomainError } from '../domain/errors';
import { audit, type AuditEntry } from '../db/repositories/audit';
import { answeringOwnRetry, refusedAs, type KeyedRequest, type RecordsDeps } from './deps';

/** A row as knex returns it. */
type Row = Record<string, any>;

/**
 * A registry record made once: its row and its audit row in one transaction. A unique key found
 * taken (`taken.constraint`, or any when none is named) is the 409 `taken` names, unless the request
 * retries its own committed first attempt (answeringOwnRetry): then `own` finds that record, as this
 * request would have made it since the key's first use, and it is the answer.
 */
export async function createOnce<T>(
  deps: RecordsDeps,
  request: KeyedRequest,
  o: {
    table: string;
    values: Row;
    /** The audit row of the record just made. */
    audited: (row: Row) => AuditEntry;
    taken: { constraint?: string; message: string; path: string; detail: string };
    view: (row: Row) => T;
    own: (since: string) => Promise<T | undefined>;
  },
): Promise<T> {
  const create = async () => {
    try {
      const row = await deps.db.transaction(async (trx: Knex.Transaction) => {
        const [r] = await trx(o.table).insert(o.values).returning('*');
        await audit(trx, o.audited(r));
        return r;
      });
      return o.view(row);
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err?.code === '23505' && (!o.taken.constraint || err.constraint === o.taken.constraint)) {
        throw new DomainError('CONFLICT', o.taken.message, [{ path: o.taken.path, message: o.taken.detail }]);
      }
      throw e;
    }
  };
  return answeringOwnRetry(request, create, refusedAs('CONFLICT'), o.own);
}
