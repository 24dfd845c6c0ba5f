import { OpenApiGeneratorV31, type OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { ApiRouter } from './route';

export function openApiDocument(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    // Relative: the document is served by the API it describes, whatever host and port that is.
    servers: [{ url: '/', description: 'this server' }],
    info: {
      title: 'loanflow API',
      version: '1',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Guaranteed start-up loans and interest subsidy. Money is a decimal string with two decimals ("80000.00"); dates are YYYY-MM-DD; quarters 2027Q1. Errors: {error: {code, message, details: [{path, message}]}}.',
    },
  });
}

/** /openapi.json and Swagger UI at /docs, both from the document the routes registered. */
export function openApiRoutes(doc: object): Router {
  const r = Router();
  r.get('/openapi.json', (_req, res) => res.json(doc));
  r.use('/docs', swaggerUi.serve, swaggerUi.setup(doc, { customSiteTitle: 'loanflow API' }));
  return r;
}

/**
 * ApiRouter.add documents JSON bodies and answers; an upload or a file download is not one. This
 * lets a route amend its own OpenAPI entry (what it checks is unchanged).
 */
export function amendRouteDoc(api: ApiRouter, method: string, path: string, amend: (route: RouteConfig) => void): void {
  for (const d of api.registry.definitions) if (d.type === 'route' && d.route.method === method && d.route.path === path) amend(d.route);
}
