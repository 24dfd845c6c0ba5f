import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import type { ApiDeps } from './deps';
import { ApiError, toApiError, validationError } from './errors';
import { authenticate, requireRole, type AuthUser } from './auth/middleware';
import { withIdempotency, type IdempotencyKeyUse } from './idempotency';
import { inRequest } from '../db/repositories/audit';
import { checkInput, jsonBodyOnly } from './input-rules';
import type { Role } from '../domain/enums';

export interface HandlerContext<P, Q, B> {
  req: Request;
  user: AuthUser;
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  requestId: string;
  /** The caller's own X-Request-Id, sanitised; audit rows keep it beside requestId. */
  clientRequestId: string | null;
  /** The Idempotency-Key this request runs under (idempotent routes that were sent one), else null. */
  idempotency: IdempotencyKeyUse | null;
}

export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Schema = ZodType;
type Out<S> = S extends ZodType ? z.output<S> : undefined;

export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style (`/v1/applications/:id`); the OpenAPI path is derived from it. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** OpenAPI operationId; derived from method and path (operationIdFor) unless given. */
  operationId?: string;
  /** 'public': no token; 'signed-in': any role; else the roles allowed. */
  auth: 'public' | 'signed-in' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Accepts an Idempotency-Key header (every POST that creates or decides). */
  idempotent?: boolean;
  responses: Record<number, { description: string; schema?: Schema }>;
  /** A handler for bodies that are not JSON (file uploads); runs before parsing. */
  rawBody?: RequestHandler;
  handler(ctx: HandlerContext<Out<P>, Out<Q>, Out<B>>): Promise<HandlerResult>;
}

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

const standardErrors: Record<number, string> = {
  400: 'Invalid input: `details` names each field and rule; nothing was written',
  401: 'Missing, expired or invalid token',
  403: 'The role or organisation may not do this',
  404: 'Not found (or not visible to you)',
  409: 'CONFLICT, or INVALID_STATE when the decision does not fit the current status',
  422: 'Well-formed but refused by a business rule',
};

/**
 * Registers an Express route and its OpenAPI description from one definition, so the document
 * at /openapi.json cannot drift from what the server actually checks.
 */
export class ApiRouter {
  readonly router = Router();
  private readonly registered: Array<Readonly<Pick<RouteSpec<Schema, Schema, Schema>, 'method' | 'path' | 'auth'>>> = [];
  /** Every route added so far and whom it admits: read-only, for tests that go over all routes. */
  get routes(): ReadonlyArray<Readonly<Pick<RouteSpec<Schema, Schema, Schema>, 'method' | 'path' | 'auth'>>> {
    return this.registered;
  }
  constructor(
    readonly deps: ApiDeps,
    readonly registry: OpenAPIRegistry,
  ) {}

  add<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(spec: RouteSpec<P, Q, B>): void {
    const { deps } = this;
    this.registered.push(Object.freeze({ method: spec.method, path: spec.path, auth: spec.auth }));
    const chain: RequestHandler[] = [];
    if (spec.auth !== 'public') chain.push(authenticate(deps));
    if (Array.isArray(spec.auth)) chain.push(requireRole(...(spec.auth as Role[])));
    if (spec.rawBody) chain.push(spec.rawBody);
    else if (spec.body) chain.push(jsonBodyOnly);

    const run = async (req: Request): Promise<HandlerResult> => {
      // Text the database cannot store, or absurd nesting, is refused before any schema runs (the
      // query and a JSON body were checked for every request; an upload's fields were made since).
      checkInput('path parameter', req.params);
      if (spec.rawBody) checkInput('body', req.body);
      const parse = <S extends Schema | undefined>(schema: S, value: unknown, where: string): Out<S> => {
        if (!schema) return undefined as Out<S>;
        const r = schema.safeParse(value);
        if (!r.success) throw validationError(r.error, where);
        return r.data as Out<S>;
      };
      const ctx: HandlerContext<Out<P>, Out<Q>, Out<B>> = {
        req,
        user: req.user as AuthUser,
        params: parse(spec.params as P, req.params, 'path parameter'),
        query: parse(spec.query as Q, req.query, 'query'),
        body: parse(spec.body as B, req.body ?? {}, 'body'),
        deps,
        requestId: String(req.id),
        clientRequestId: req.clientRequestId ?? null,
        idempotency: null,
      };
      // A refusal becomes the API's error here, before the Idempotency-Key stores it as the reply.
      const handle = (idempotency: IdempotencyKeyUse | null) =>
        inRequest({ clientRequestId: ctx.clientRequestId }, () => spec.handler({ ...ctx, idempotency })).catch((e: unknown) => {
          throw toApiError(e);
        });
      if (spec.idempotent) return withIdempotency(deps.db, req, handle);
      return handle(null);
    };

    chain.push(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const result = await run(req);
        for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
        res.status(result.status).json(result.body);
      } catch (e) {
        next(e);
      }
    });
    this.router[spec.method](spec.path, ...chain);

    const responses: Record<string, unknown> = {};
    for (const [code, r] of Object.entries(spec.responses)) {
      responses[code] = r.schema ? { description: r.description, content: { 'application/json': { schema: r.schema } } } : { description: r.description };
    }
    for (const [code, description] of Object.entries(standardErrors)) {
      if (code === '401' && spec.auth === 'public') continue;
      responses[code] ??= { description, content: { 'application/json': { schema: errorSchema } } };
    }
    const headers = spec.idempotent
      ? z.object({
          'idempotency-key': z
            .string()
            .max(200)
            .optional()
            .meta({ description: 'Same key + same body replays the first response; same key + another body is 409' }),
        })
      : undefined;
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:([A-Za-z_]+)/g, '{$1}'),
      operationId: spec.operationId ?? operationIdFor(spec.method, spec.path),
      summary: spec.summary,
      description:
        (spec.description ?? '') +
        (Array.isArray(spec.auth) ? `\n\nRoles: ${spec.auth.join(', ')}.` : spec.auth === 'signed-in' ? '\n\nAny signed-in user.' : ''),
      tags: [spec.tag],
      security: spec.auth === 'public' ? [] : [{ bearerAuth: [] }],
      request: {
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(headers ? { headers: headers as never } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: responses as never,
    });
  }
}

/**
 * A stable operationId from method and path, so every operation has one and none can be forgotten
 * or repeated (method + path is unique): `get /v1/applications/:id/history` →
 * `getApplicationsByIdHistory`. Generated clients and links key on it; renaming a path renames it.
 */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .flatMap((s) => (s.startsWith(':') ? ['by', s.slice(1)] : s.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** For handlers: 404 when a row is missing (or hidden from this user). */
export function found<T>(row: T | undefined | null, what: string): T {
  if (row === undefined || row === null) throw new ApiError('NOT_FOUND', `${what} not found`);
  return row;
}
