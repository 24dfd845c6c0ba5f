import { randomUUID } from 'node:crypto';

/**
 * The request id the API logs, answers in `X-Request-Id` and writes into the audit trail. A
 * caller's `X-Request-Id` is adopted only when it is a UUID (as a proxy in front generates), so
 * a caller cannot plant an arbitrary text, or another request's label of its own making, as the
 * audit trail's key; anything else gets a fresh UUID.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most this many characters of a caller's own id are kept (audit_log.client_request_id). */
export const CLIENT_REQUEST_ID_MAX = 128;

export function requestIdFor(header: unknown): string {
  return typeof header === 'string' && UUID.test(header) ? header.toLowerCase() : randomUUID();
}

/**
 * What the caller sent as `X-Request-Id`, kept for correlation with its own logs: printable ASCII
 * only (others dropped), trimmed, at most CLIENT_REQUEST_ID_MAX characters; null when nothing is left.
 */
export function clientRequestIdOf(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const kept = header.replace(/[^\x20-\x7e]/g, '').trim().slice(0, CLIENT_REQUEST_ID_MAX).trim();
  return kept === '' ? null : kept;
}
