import type { Request } from 'express';
import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { ApiError } from './errors';
import type { HandlerResult } from './route';

const KEY = /^[A-Za-z0-9._:\-]{1,200}$/;

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

/**
 * Runs a create/decide handler at most once per (user, Idempotency-Key): the same key with the
 * same request replays the first response (refusals included; not bad input or server faults); the same key
 * with another request is 409. A key still being processed is also 409 so that two racing
 * retries never both act.
 */
export async function withIdempotency(db: Knex, req: Request, run: () => Promise<HandlerResult>): Promise<HandlerResult> {
  const key = req.header('idempotency-key');
  if (key === undefined) return run();
  if (!KEY.test(key)) {
    throw new ApiError('VALIDATION_FAILED', 'Invalid Idempotency-Key header', [
      { path: 'Idempotency-Key', message: 'must be 1–200 characters of letters, digits and . _ : -' },
    ]);
  }
  const userId = req.user!.id;
  const path = req.baseUrl + req.path;
  const requestHash = createHash('sha256').update(canonical({ method: req.method, path, body: req.body ?? null })).digest('hex');

  const inserted = await db('idempotency_keys')
    .insert({ user_id: userId, key, method: req.method, path, request_hash: requestHash })
    .onConflict(['user_id', 'key'])
    .ignore()
    .returning('key');
  if (inserted.length === 0) {
    const prior = await db('idempotency_keys').where({ user_id: userId, key }).first();
    if (prior.request_hash !== requestHash) {
      throw new ApiError('CONFLICT', 'This Idempotency-Key was already used with a different request', [
        { path: 'Idempotency-Key', message: `first used for ${prior.method} ${prior.path} with another body` },
      ]);
    }
    if (prior.status_code === null) {
      throw new ApiError('CONFLICT', 'A request with this Idempotency-Key is still being processed; retry shortly', [
        { path: 'Idempotency-Key', message: 'in progress' },
      ]);
    }
    return { status: prior.status_code, body: prior.response, headers: { 'Idempotent-Replayed': 'true' } };
  }

  const store = (status: number, body: unknown) =>
    db('idempotency_keys')
      .where({ user_id: userId, key })
      .update({ status_code: status, response: JSON.stringify(body), completed_at: db.fn.now() });
  try {
    const result = await run();
    await store(result.status, result.body);
    return result;
  } catch (e) {
    if (e instanceof ApiError && e.status < 500 && e.code !== 'VALIDATION_FAILED') {
      await store(e.status, { error: { code: e.code, message: e.message, details: e.details } });
    } else {
      // Bad input wrote nothing and a server fault is not an answer: free the key so the
      // client's corrected request or retry runs.
      await db('idempotency_keys').where({ user_id: userId, key }).delete();
    }
    throw e;
  }
}
