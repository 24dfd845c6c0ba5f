/**
 * `npm run openapi [-- FILE]`: the API's OpenAPI document, as /openapi.json serves it, built from
 * the route specs without starting anything (the handlers are registered, never called). The
 * console's typed client is generated from it (scripts/lib/web-client.ts).
 */
import fs from 'node:fs';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import knex from 'knex';
import { ApiRouter } from '../api/route';
import { registerRoutes } from '../api/app';
import { openApiDocument } from '../api/openapi';
import type { ApiDeps } from '../api/deps';

export async function buildOpenApiDocument(): Promise<ReturnType<typeof openApiDocument>> {
  // A knex that never connects: some routes keep a handle to the database when they are added.
  const db = knex({ client: 'pg' });
  try {
    const api = new ApiRouter({ db } as unknown as ApiDeps, new OpenAPIRegistry());
    registerRoutes(api);
    return openApiDocument(api.registry);
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  void buildOpenApiDocument().then((doc) => {
    const text = JSON.stringify(doc, null, 2) + '\n';
    const out = process.argv[2];
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
  });
}
