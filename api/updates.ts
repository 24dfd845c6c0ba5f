import type { Request } from 'express';
import type { IdempotencyKeyUse } from './idempotency';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The Idempotency-Key this request runs under (api/idempotency.ts), set by api/route.ts. */
      idempotencyKeyUse?: IdempotencyKeyUse | null;
    }
  }
}

/**
 * The Temporal update id of a decision sent with an Idempotency-Key: a retry under the same key is
 * the same update, which the server runs once — even when the API failed (a 5xx frees the key)
 * after sending it and before storing its reply. The key's `since` is part of it: a key reused
 * after it expired is a new decision, which Temporal would otherwise answer with the old one's
 * result without running it. Without a key, Temporal picks a fresh id.
 */
export function updateIdOf(req: Request): string | undefined {
  const use = req.idempotencyKeyUse;
  if (!use || !req.user) return undefined;
  return `${req.user.id}:${req.method}:${req.baseUrl + req.path}:${use.key}:${use.since}`;
}
