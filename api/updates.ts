import type { Request } from 'express';

/**
 * The Temporal update id of a decision sent with an Idempotency-Key: a retry under the same key is
 * the same update, which the server runs once — even when the API failed (a 5xx frees the key)
 * after sending it and before storing its reply. Without a key, Temporal picks a fresh id.
 */
export function updateIdOf(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined || !req.user) return undefined;
  return `${req.user.id}:${req.method}:${req.baseUrl + req.path}:${key}`;
}
