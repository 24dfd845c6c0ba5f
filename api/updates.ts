import type { Request } from 'express';
import type { IdempotencyKeyUse } from './idempotency';

/**
 * The Temporal update id of a decision sent with an Idempotency-Key: a retry under the same key is
 * the same update, which the server runs once — even when the API failed (a 5xx frees the key)
 * after sending it and before storing its reply. The key's `since` is part of it: a key reused
 * after it expired is a new decision, which Temporal would otherwise answer with the old one's
 * result without running it. Without a key, Temporal picks a fresh id.
 */
export function updateIdOf(ctx: { req: Request; user: { id: string } | undefined; idempotency: IdempotencyKeyUse | null }): string | undefined {
  const { req, user, idempotency } = ctx;
  if (!idempotency || !user) return undefined;
  return `${user.id}:${req.method}:${req.baseUrl + req.path}:${idempotency.key}:${idempotency.since}`;
}
