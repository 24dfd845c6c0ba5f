import { Router } from 'express';
import { z } from 'zod';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { systemHealth } from '../../usecases/health';
import type { ApiDeps } from '../deps';

const probeSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), postgres: probeSchema, temporal: probeSchema }).meta({ id: 'Health' });

/** Describes /healthz in the OpenAPI document (the route itself is plain Express: no auth, no body). */
export function registerHealthDoc(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealthz',
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
    const { ok, postgres, temporal } = await systemHealth(deps);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', postgres, temporal });
  });
  return r;
}
