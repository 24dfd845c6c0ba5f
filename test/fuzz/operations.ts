/**
 * The operations of the OpenAPI document, as the fuzzer needs them: method, path, parameters, the
 * JSON body's schema, and who may call it (read from the description ApiRouter writes:
 * "Roles: a, b." or "Any signed-in user.", and from `security`).
 */
import type { JsonSchema } from './schema-arbitrary';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** "POST /v1/applications/{id}/disbursal" */
  id: string;
  method: string;
  path: string;
  params: Parameter[];
  /** The application/json body's schema, if it takes one. */
  body?: JsonSchema;
  /** Takes a file upload (multipart/form-data or the file as the body). */
  upload: boolean;
  auth: 'public' | 'signed-in' | string[];
  idempotent: boolean;
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
  description?: string;
}

/**
 * Left out: signing out ends every token of the caller, which would turn the rest of the run into
 * 401s (test/auth covers it).
 */
const NOT_FUZZED = new Set(['POST /v1/auth/logout']);

export function operationsOf(doc: { paths: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (NOT_FUZZED.has(`${method.toUpperCase()} ${path}`)) continue;
      const params = (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in as Parameter['in'], required: p.required ?? false, schema: p.schema }));
      const content = op.requestBody?.content ?? {};
      const roles = /Roles: ([a-z_, ]+)\./.exec(op.description ?? '')?.[1]?.split(', ');
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params: params.filter((p) => p.in !== 'header'),
        body: content['application/json']?.schema,
        upload: 'multipart/form-data' in content,
        auth: Array.isArray(op.security) && op.security.length === 0 ? 'public' : roles ?? 'signed-in',
        idempotent: params.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
      });
    }
  }
  return ops;
}
