/**
 * What every request must be before a route's schema sees it — one rule for every route:
 *  - a JSON body is JSON (Content-Type application/json) in UTF-8;
 *  - every string, object key, query value and path parameter is text PostgreSQL can store: no
 *    U+0000 (text columns cannot hold it) and no lone UTF-16 surrogate (the driver would silently
 *    store U+FFFD in its place);
 *  - nothing is nested deeper than MAX_DEPTH (no request schema comes near it).
 * A request that breaks one is answered 400 or 415 naming where, before anything is read or written.
 * The app applies utf8JsonOnly and storableInput to every request; ApiRouter applies jsonBodyOnly
 * and checks path parameters and upload fields, which exist only once a route runs.
 */
import type { Request, RequestHandler } from 'express';
import { parse as parseContentType } from 'content-type';
import { ApiError, type ErrorDetail } from './errors';

export const MAX_DEPTH = 32;
/** One answer names at most this many places: enough to fix the request. */
const MAX_REPORTED = 20;

// A lone high surrogate (no low one after it) or a lone low surrogate (no high one before it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNPRINTABLE = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Why PostgreSQL could not store `s` as it is, or undefined when it can. */
export function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';
  return undefined;
}

/** A key as a client can read it in `details[].path`: control characters and lone surrogates escaped. */
function printable(key: string): string {
  return key.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Every place in `value` that breaks the rules, with zod's path style (`lines.0.reason`); `root`
 * names the value itself when the problem is the value as a whole. Iterative, so a deep value
 * cannot overflow the stack while being checked.
 */
export function inputProblems(value: unknown, root: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const stack: Array<{ v: unknown; path: string[]; depth: number }> = [{ v: value, path: [], depth: 0 }];
  const at = (path: string[]) => (path.length ? path.join('.') : root);
  let tooDeep = false;
  while (stack.length && problems.length < MAX_REPORTED) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const why = unstorable(v);
      if (why) problems.push({ path: at(path), message: why });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      if (!tooDeep) problems.push({ path: at(path), message: `is nested more than ${MAX_DEPTH} levels deep` });
      tooDeep = true;
      continue;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    // Pushed in reverse, so problems are reported in the order they appear.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      const why = Array.isArray(v) ? undefined : unstorable(k);
      if (why) problems.push({ path: at([...path, printable(k)]), message: `field name ${why}` });
      else stack.push({ v: x, path: [...path, k], depth: depth + 1 });
    }
  }
  return problems;
}

/** Throws 400 naming each place in `value` (the request's `where`) that breaks the rules. */
export function checkInput(where: 'path parameter' | 'query' | 'body', value: unknown): void {
  const problems = inputProblems(value, where === 'body' ? '(body)' : `(${where})`);
  if (problems.length) {
    const first = problems[0]!;
    throw new ApiError('VALIDATION_FAILED', `Invalid ${where}: ${first.path} — ${first.message}`, problems);
  }
}

/**
 * For every request, after the JSON parser: the query and the body. Path parameters exist only
 * once a route matched, and an upload's fields once it was read: ApiRouter checks those.
 */
export const storableInput: RequestHandler = (req, _res, next) => {
  try {
    checkInput('query', req.query);
    checkInput('body', req.body);
    next();
  } catch (e) {
    next(e);
  }
};

/** Whether the request carries a body (as the HTTP spec and body-parser decide it). */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

const contentTypeError = (message: string) => new ApiError('VALIDATION_FAILED', message, [{ path: 'Content-Type', message }], 415);

/**
 * Before the JSON parser: a JSON body in any charset but UTF-8 is 415 naming the charset (the
 * parser would decode UTF-16 and others, and answer 500 for most of the rest).
 */
export const utf8JsonOnly: RequestHandler = (req, _res, next) => {
  const header = req.headers['content-type'];
  if (!header || !hasBody(req)) return next();
  const { type, parameters } = parseContentType(header);
  const charset = parameters.charset;
  if (type === 'application/json' && charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    return next(contentTypeError(`charset "${charset}" is not supported: send JSON in UTF-8 (charset=utf-8, or no charset)`));
  }
  next();
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON body must be valid UTF-8: the parser would turn a stray byte into U+FFFD and store the
 * text changed (what the lone-surrogate rule refuses too). For express.json's `verify`.
 */
export function utf8Only(_req: unknown, _res: unknown, buf: Buffer): void {
  try {
    strictUtf8.decode(buf);
  } catch {
    throw Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'entity.verify.failed', expose: true });
  }
}

/** For routes that take a JSON body: any other body is 415, rather than read as if it were missing. */
export const jsonBodyOnly: RequestHandler = (req, _res, next) => {
  if (!hasBody(req) || req.is('application/json')) return next();
  const given = req.headers['content-type'];
  next(contentTypeError(given ? `${JSON.stringify(given)} is not accepted here: send the body as application/json` : 'send the body with Content-Type: application/json'));
};
