import { z, type ZodType } from 'zod';
import type { ApiRouter, HandlerContext, RouteSpec } from './route';
import { pageNumber } from './paging';
import { updateIdOf } from './updates';
import type { IdempotencyKeyUse } from './idempotency';

/**
 * The shapes most routes take, so a route states only what is its own: a read answering 200, a
 * page of a list, a creation answering 201 with its Location, and a decision posted with an
 * Idempotency-Key (a workflow update, whose id the key fixes). Each builder fills in the method,
 * the responses and the handler's reply; `api.add` does the rest (api/route.ts).
 */

type Schema = ZodType;
type Out<S> = S extends ZodType ? z.output<S> : undefined;
type Auth = RouteSpec<undefined, undefined, undefined>['auth'];

/** What every route names besides its path: what it does, and for whom (the tag's default unless given). */
interface Named {
  summary: string;
  description?: string;
  auth?: Auth;
}

/** The 2xx reply: its description and schema. */
export interface Reply {
  description: string;
  schema: Schema;
}

/** A resource's id in the path. */
export const idParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

/** The query of a page of a list: its filters, then `page` and `pageSize`. */
export function pageQuery<S extends z.ZodRawShape>(filters: S, maxPageSize = 200, defaultPageSize = 50) {
  return z.object({ ...filters, page: pageNumber, pageSize: z.coerce.number().int().min(1).max(maxPageSize).default(defaultPageSize) }).strict();
}

/** A page of a list as the API answers it. */
export function pageOf(item: Schema) {
  return z.object({ items: z.array(item), page: z.number(), pageSize: z.number(), total: z.number() });
}

/**
 * What a write passes to its use case: the request's ids, the Idempotency-Key it runs under (a
 * retry of a first attempt that died may meet that attempt's record: usecases/deps.ts,
 * answeringOwnRetry) and, for a decision, the update's id.
 */
export interface WriteRequest {
  requestId: string;
  clientRequestId: string | null;
  idempotency: IdempotencyKeyUse | null;
}

type Ctx<P, Q, B> = HandlerContext<Out<P>, Out<Q>, Out<B>>;

/**
 * The builders of one tag's routes, each called with the route's path (Express style) and its
 * own parts. `auth` is whom a route admits when it names no one itself.
 */
export function routeKinds(api: ApiRouter, tag: string, defaults: { auth?: Auth } = {}) {
  const whom = (auth: Auth | undefined, path: string): Auth => {
    if (auth === undefined && defaults.auth === undefined) throw new Error(`${path}: a route names whom it admits`);
    return auth ?? defaults.auth!;
  };
  /** A GET answering 200 with what `load` returns: one resource, or a list that is not paged. */
  function read<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined>(
    path: string,
    spec: Named & { params?: P; query?: Q; reply: Reply; load(ctx: Ctx<P, Q, undefined>): Promise<unknown> },
  ): void {
    const { reply, load, auth, ...rest } = spec;
    api.add<P, Q, undefined>({
      ...rest,
      method: 'get',
      path,
      tag,
      auth: whom(auth, path),
      responses: { 200: reply },
      handler: async (ctx) => ({ status: 200, body: await load(ctx) }),
    });
  }
  return {
    read,

    /** A GET of one resource by its id (`:id`). */
    byId(path: string, spec: Named & { reply: Reply; load(ctx: Ctx<typeof idParam, undefined, undefined>): Promise<unknown> }): void {
      read(path, { ...spec, params: idParam });
    },

    /** A page of a list: the filters, then page and pageSize (50 by default, at most 200). */
    page<S extends z.ZodRawShape>(
      path: string,
      spec: Named & {
        filters: S;
        item: Schema;
        /** The reply's description: 'A page' unless given. */
        itemsDescription?: string;
        list(ctx: Ctx<undefined, ReturnType<typeof pageQuery<S>>, undefined>): Promise<{ items: unknown[]; total: number }>;
      },
    ): void {
      const { filters, item, itemsDescription = 'A page', list, auth, ...rest } = spec;
      const query = pageQuery(filters);
      api.add<undefined, typeof query, undefined>({
        ...rest,
        method: 'get',
        path,
        tag,
        auth: whom(auth, path),
        query,
        responses: { 200: { description: itemsDescription, schema: pageOf(item) } },
        handler: async (ctx) => {
          const { items, total } = await list(ctx);
          const { page, pageSize } = ctx.query as { page: number; pageSize: number };
          return { status: 200, body: { items, page, pageSize, total } };
        },
      });
    },

    /** A POST that makes something: 201 with it, and its Location when `location` says where. */
    create<T, P extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
      path: string,
      spec: Named & {
        params?: P;
        body?: B;
        reply: Reply;
        make(ctx: Ctx<P, undefined, B>, request: WriteRequest): Promise<T>;
        location?: (made: T, ctx: Ctx<P, undefined, B>) => string;
      },
    ): void {
      const { reply, make, location, auth, ...rest } = spec;
      api.add<P, undefined, B>({
        ...rest,
        method: 'post',
        path,
        tag,
        auth: whom(auth, path),
        idempotent: true,
        responses: { 201: reply },
        handler: async (ctx) => {
          const made = await make(ctx, { requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, idempotency: ctx.idempotency });
          return { status: 201, body: made, ...(location ? { headers: { Location: location(made, ctx) } } : {}) };
        },
      });
    },

    /**
     * A POST that records a decision or a change on a resource, under an Idempotency-Key: the
     * status it answers (200 unless given) with the resource as it now stands.
     */
    decide<B extends Schema | undefined = undefined, P extends Schema = typeof idParam>(
      path: string,
      spec: Named & {
        /** POST unless given (a PATCH of a resource's fields is the same shape). */
        method?: 'post' | 'patch';
        params?: P;
        body?: B;
        status?: 200 | 201;
        reply: Reply;
        run(ctx: Ctx<P, undefined, B>, request: WriteRequest & { updateId: string | undefined }): Promise<unknown>;
      },
    ): void {
      const { reply, run, status = 200, params, method = 'post', auth, ...rest } = spec;
      api.add<P, undefined, B>({
        ...rest,
        method,
        path,
        tag,
        auth: whom(auth, path),
        idempotent: true,
        params: (params ?? idParam) as P,
        responses: { [status]: reply },
        handler: async (ctx) => ({
          status,
          body: await run(ctx, { requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, idempotency: ctx.idempotency, updateId: updateIdOf(ctx) }),
        }),
      });
    },
  };
}
