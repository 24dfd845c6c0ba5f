import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** What the API refuses with: `{error: {code, message, details[{path, message}]}}`, plus its status. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

let token: string | null = sessionStorage.getItem('lf.token');
let onExpired: () => void = () => undefined;

export function setToken(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('lf.token', t);
  else sessionStorage.removeItem('lf.token');
}
export function currentToken(): string | null {
  return token;
}
/** Called when a signed-in request comes back 401: the session ended (expired, or signed out elsewhere). */
export function whenSessionExpires(fn: () => void): void {
  onExpired = fn;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('authorization')) onExpired();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/**
 * Unwraps an openapi-fetch result: the data, or an ApiFailure carrying the server's own message,
 * the fields it names and, on 429, Retry-After.
 */
export async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: Awaited<typeof p>;
  try {
    r = await p;
  } catch (e) {
    throw new ApiFailure(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (r.response.ok) return r.data as T;
  const body = r.error as { error?: { code?: string; message?: string; details?: Array<{ path: string; message: string }> } } | undefined;
  const retry = r.response.headers.get('retry-after');
  throw new ApiFailure(
    r.response.status,
    body?.error?.code ?? 'HTTP_' + r.response.status,
    body?.error?.message ?? r.response.statusText,
    body?.error?.details ?? [],
    retry ? Number(retry) : undefined,
  );
}

/**
 * A read index.html started before this code ran (a signed-in officer opening my tasks), taken
 * once, as openapi-fetch would have answered it; undefined when there is none for `path`.
 */
export function early<T>(path: string): Promise<{ data?: T; error?: unknown; response: Response }> | undefined {
  const started = (window as { __lfEarly?: Record<string, Promise<Response> | undefined> }).__lfEarly;
  const res = started?.[path];
  if (!res) return undefined;
  delete started[path];
  return res.then(async (response) => {
    const body: unknown = await response.json().catch(() => undefined);
    if (response.status === 401) onExpired();
    return response.ok ? { data: body as T, response } : { error: body, response };
  });
}

/** Headers of a deciding request: its submission's Idempotency-Key. */
export function idempotent(key: string): { headers: Record<string, string> } {
  return { headers: { 'Idempotency-Key': key } };
}
