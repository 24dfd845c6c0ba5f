import type { Request } from 'express';
import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { ApiError } from './errors';
import { releaseIdempotencyKey } from '../db/repositories/idempotency-keys';

/** A handler's reply, as stored and replayed (ApiRouter's HandlerResult). */
interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const KEY = /^[A-Za-z0-9._:\-]{1,200}$/;

/**
 * A pending key's lease: renewed every third of it while its request runs, so a request that died
 * with its process frees the key within a minute, and a slow one (a large statement import) keeps it.
 */
export const LEASE_SECONDS = 60;
/** How long a key and its stored reply are kept; then it may be used again (and is purged). */
export const KEY_TTL_HOURS = 24;
/** Racing requests on one key each try at most this often to insert or take it over. */
const ATTEMPTS = 5;

/** Canonical JSON: keys sorted, so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What a key is bound to: the method, the path and the body (canonical JSON), hashed. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(canonical({ method, path, body: body ?? null })).digest('hex');
}

interface KeyRow {
  request_hash: string;
  method: string;
  path: string;
  status_code: number | null;
  response: unknown;
  lapsed: boolean;
  expired: boolean;
}

const inProgress = () =>
  new ApiError('CONFLICT', 'A request with this Idempotency-Key is still being processed; retry shortly', [{ path: 'Idempotency-Key', message: 'in progress' }]);

/**
 * The key a request runs under: the caller's key and when this use of it began (the row's
 * creation, kept while retries take the key over; a new one once it expired or was released). A
 * handler that derives an id from the key derives it from both, so a key reused after it expired
 * is a new request, not the old one's refusal for ever.
 */
export interface IdempotencyKeyUse {
  key: string;
  /** The key row's created_at, to the microsecond, as PostgreSQL writes it. */
  since: string;
  /**
   * This request took the key over from an attempt that died without storing its reply (a lapsed
   * lease, or a server fault). That attempt may have committed, so a create that finds its record
   * taken looks whether the record is its own first attempt's (usecases/deps.ts, answeringOwnRetry).
   */
  retried: boolean;
}

/** created_at as text: microseconds, where a JavaScript Date keeps milliseconds. */
const SINCE = "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') as since";

/**
 * Runs a create/decide handler at most once per (user, Idempotency-Key): the same key with the
 * same request replays the first response (refusals included; not bad input or server faults); the
 * same key with another request is 409. A key still being processed is also 409, so two racing
 * retries never both act; its lease lapses if its request died, and the next retry takes it over.
 * After a server fault the lease is given up at once, so the retry takes the key over (keeping its
 * `since`); bad input releases the key, so the corrected request runs. Keys expire after
 * KEY_TTL_HOURS. The database keeps a stored reply final (its guard trigger) and deletes a key only
 * while it is pending or expired.
 */
export async function withIdempotency(db: Knex, req: Request, run: (key: IdempotencyKeyUse | null) => Promise<HandlerResult>): Promise<HandlerResult> {
  const key = req.header('idempotency-key');
  if (key === undefined) return run(null);
  if (!KEY.test(key)) {
    throw new ApiError('VALIDATION_FAILED', 'Invalid Idempotency-Key header', [
      { path: 'Idempotency-Key', message: 'must be 1–200 characters of letters, digits and . _ : -' },
    ]);
  }
  const userId = req.user!.id;
  const path = req.baseUrl + req.path;
  const hash = requestHash(req.method, path, req.body);
  const mine = () => db('idempotency_keys').where({ user_id: userId, key }).whereNull('status_code');

  let owned = false;
  let retried = false;
  let since = '';
  for (let attempt = 0; attempt < ATTEMPTS && !owned; attempt++) {
    const inserted = await db('idempotency_keys')
      .insert({
        user_id: userId, key, method: req.method, path, request_hash: hash,
        lease_until: db.raw(`now() + make_interval(secs => ?)`, [LEASE_SECONDS]),
        expires_at: db.raw(`now() + make_interval(hours => ?)`, [KEY_TTL_HOURS]),
      })
      .onConflict(['user_id', 'key'])
      .ignore()
      .returning(db.raw(SINCE) as never);
    if (inserted.length > 0) {
      owned = true;
      since = (inserted[0] as unknown as { since: string }).since;
      break;
    }
    const prior: KeyRow | undefined = await db('idempotency_keys')
      .where({ user_id: userId, key })
      .first('request_hash', 'method', 'path', 'status_code', 'response', db.raw('lease_until < now() as lapsed'), db.raw('expires_at < now() as expired'));
    // Released meanwhile (the first request failed validation): try the insert again.
    if (!prior) continue;
    if (prior.expired) {
      await releaseIdempotencyKey(db, userId, key);
      continue;
    }
    if (prior.request_hash !== hash) {
      throw new ApiError('CONFLICT', 'This Idempotency-Key was already used with a different request', [
        { path: 'Idempotency-Key', message: `first used for ${prior.method} ${prior.path} with another body` },
      ]);
    }
    if (prior.status_code !== null) {
      return { status: prior.status_code, body: prior.response, headers: { 'Idempotent-Replayed': 'true' } };
    }
    if (!prior.lapsed) throw inProgress();
    // Its request died without an answer: take the key over (one racer wins the update).
    const taken = await mine()
      .where('lease_until', '<', db.fn.now())
      .update({ lease_until: db.raw(`now() + make_interval(secs => ?)`, [LEASE_SECONDS]) })
      .returning(db.raw(SINCE) as never);
    owned = taken.length > 0;
    if (owned) {
      since = (taken[0] as unknown as { since: string }).since;
      retried = true;
    }
  }
  if (!owned) throw inProgress();

  const renew = setInterval(() => {
    void mine()
      .update({ lease_until: db.raw(`now() + make_interval(secs => ?)`, [LEASE_SECONDS]) })
      .catch(() => undefined);
  }, (LEASE_SECONDS * 1000) / 3);
  renew.unref();
  // Only while still pending: a reply is final (the table refuses a second one).
  const store = (status: number, body: unknown) => mine().update({ status_code: status, response: JSON.stringify(body), completed_at: db.fn.now() });
  try {
    const result = await run({ key, since, retried });
    clearInterval(renew);
    await store(result.status, result.body);
    return result;
  } catch (e) {
    clearInterval(renew);
    if (e instanceof ApiError && e.status < 500 && e.code !== 'VALIDATION_FAILED') {
      await store(e.status, { error: { code: e.code, message: e.message, details: e.details } });
    } else if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
      // Bad input wrote nothing: free the key so the client's corrected request runs.
      await releaseIdempotencyKey(db, userId, key);
    } else {
      // A server fault is not an answer, and what it started may have gone on (a workflow): the
      // lease lapses now, so the retry takes the key over at once, under the same `since`.
      await mine().update({ lease_until: db.raw(`now() - interval '1 millisecond'`) });
    }
    throw e;
  }
}

