import { Router } from 'express';
import { z } from 'zod';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { pingDb } from '../../db/knex';
import { pingTemporal } from '../temporal';
import type { ApiDeps } from '../deps';

const TIMEOUT_MS = 2000;
// Temporal's probe ends on its own gRPC deadline (which also stops the client's retries), so
// it is awaited rather than raced: a raced call would keep retrying after the answer was sent.

async function probe(fn: () => Promise<void>, raceTimeout = true): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const call = fn();
    await (raceTimeout
      ? Promise.race([
          call,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
          }),
        ])
      : call);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (e) {
    return { ok: false, latencyMs: Date.now() - started, error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

const probeSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), postgres: probeSchema, temporal: probeSchema }).meta({ id: 'Health' });

/** Describes /healthz in the OpenAPI document (the route itself is plain Express: no auth, no body). */
export function registerHealthDoc(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Reachability of PostgreSQL and Temporal',
    tags: ['health'],
    security: [],
    responses: {
      200: { description: 'Both reachable', content: { 'application/json': { schema: healthSchema } } },
      503: { description: 'One or both unreachable; the failing probe carries its error', content: { 'application/json': { schema: healthSchema } } },
    },
  });
}

/** GET /healthz: 200 when Postgres and Temporal both answer, 503 naming the one that does not. */
export function healthRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([probe(() => pingDb(deps.db)), probe(() => pingTemporal(deps.temporal, TIMEOUT_MS), false)]);
    const ok = postgres.ok && temporal.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', postgres, temporal });
  });
  return r;
}
