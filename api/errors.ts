import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { DomainError, type DomainErrorCode, type ErrorDetail } from '../domain/errors';
import { LedgerError } from '../db/ledger/errors';

export type { ErrorDetail } from '../domain/errors';

export type ErrorCode = DomainErrorCode | 'TOO_MANY_REQUESTS' | 'UNAVAILABLE' | 'INTERNAL';

/** The one map from an error's code to its HTTP status. */
const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** An error the API reports as `{error: {code, message, details}}` with the code's HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly status: number = statusOf[code],
  ) {
    super(message);
  }

  /** Extra response headers (Retry-After on a 429). */
  headers?: Record<string, string>;
}

/**
 * The ledger's codes (db/ledger/errors.ts) as the API's: input the ledger can never post is bad
 * input, an unknown account, entry or fund is not found, any other refusal of its rules is
 * unprocessable. Use cases that give a ledger refusal another meaning throw their own DomainError.
 */
const ledgerCodes: Record<string, ErrorCode> = {
  LEDGER_VALIDATION: 'VALIDATION_FAILED',
  UNKNOWN_ACCOUNT: 'NOT_FOUND',
  ENTRY_NOT_FOUND: 'NOT_FOUND',
  FUND_NOT_FOUND: 'NOT_FOUND',
};

/**
 * A refusal as the API's error, by its code: an ApiError as it is, a DomainError (use cases, finance
 * rules, workflow refusals) with its code, a LedgerError by its code. Anything else is not a refusal
 * and is returned unchanged (the error handler answers it as a 500).
 */
export function toApiError(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  if (e instanceof DomainError) return new ApiError(e.code, e.message, e.details);
  if (e instanceof LedgerError) return new ApiError(ledgerCodes[e.code] ?? 'UNPROCESSABLE', e.message, e.details);
  return e;
}

export function zodDetails(err: ZodError, prefix: (string | number)[] = []): ErrorDetail[] {
  return err.issues.map((i) => {
    const p = [...prefix, ...i.path].map(String);
    // An unknown key's path is its parent; name the key itself so the client can find it.
    if (i.code === 'unrecognized_keys') {
      return { path: [...p, ...i.keys].join('.') || '(body)', message: `unknown field (allowed fields are listed in /openapi.json)` };
    }
    return { path: p.join('.') || '(body)', message: i.message };
  });
}

export function validationError(err: ZodError, where = 'body', prefix: (string | number)[] = []): ApiError {
  const details = zodDetails(err, prefix);
  const first = details[0];
  return new ApiError('VALIDATION_FAILED', `Invalid ${where}${first ? `: ${first.path} — ${first.message}` : ''}`, details);
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/**
 * Errors raised before a route runs — by the body parser, the router or Node — carry an HTTP
 * status (http-errors). A 4xx among them is the client's: it is answered as such, naming what
 * was wrong, never as a 500.
 */
function clientErrorOf(err: { type?: string; status?: number; statusCode?: number; message?: string; charset?: string; encoding?: string }): ApiError | undefined {
  const status = err.status ?? err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const detail = (path: string, message: string) => [{ path, message }];
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError('VALIDATION_FAILED', 'Request body is not valid JSON', detail('(body)', String(err.message)));
    case 'entity.too.large':
      return new ApiError('VALIDATION_FAILED', 'Request body is too large', detail('(body)', 'too large'), 413);
    case 'charset.unsupported': {
      const message = `charset "${err.charset}" is not supported: send JSON in UTF-8 (charset=utf-8, or no charset)`;
      return new ApiError('VALIDATION_FAILED', message, detail('Content-Type', message), 415);
    }
    case 'encoding.unsupported': {
      const message = `Content-Encoding "${err.encoding}" is not supported: send the body uncompressed, or as gzip, deflate or br`;
      return new ApiError('VALIDATION_FAILED', message, detail('Content-Encoding', message), 415);
    }
    default: {
      // A malformed percent-escape in the path, a body that does not inflate, a short body...
      const where = err instanceof URIError ? '(path)' : '(body)';
      return new ApiError('VALIDATION_FAILED', `Request could not be read: ${err.message}`, detail(where, String(err.message)), status === 413 || status === 415 ? status : 400);
    }
  }
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let apiErr: ApiError;
  const known = toApiError(err);
  if (known instanceof ApiError) apiErr = known;
  else if (err instanceof ZodError) apiErr = validationError(err);
  else {
    const client = err && typeof err === 'object' ? clientErrorOf(err) : undefined;
    if (client) apiErr = client;
    else {
      req.log?.error({ err }, 'unhandled error');
      apiErr = new ApiError('INTERNAL', 'Internal error; the request id identifies it in the logs');
    }
  }
  if (apiErr.status >= 500) req.log?.error({ err }, apiErr.message);
  for (const [k, v] of Object.entries(apiErr.headers ?? {})) res.setHeader(k, v);
  res.status(apiErr.status).json({
    error: { code: apiErr.code, message: apiErr.message, details: apiErr.details, requestId: req.id },
  });
};
