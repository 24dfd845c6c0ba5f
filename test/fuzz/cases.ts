/**
 * One fuzz case: an operation called as a role its spec allows (now and then as nobody, a forged
 * token or the wrong role), on real resources where its path takes ids, with a body made valid
 * from its schema and then, most of the time, broken in one hostile way. `mustRefuse` says when
 * the breakage leaves the API no choice but 400.
 */
import fc from 'fast-check';
import type { Operation } from './operations';
import { SchemaArbitraries, type JsonSchema } from './schema-arbitrary';
import {
  JsonLiteral,
  breaksInputRules,
  deepArray,
  hostileContentEncoding,
  hostileContentType,
  hostileIdempotencyKey,
  hostilePathSegment,
  hostileQuery,
  hostileValue,
  jsonText,
  unstorableString,
} from './hostile';
import { USER_OF_ROLE, type World } from './world';
import { addDays, quarterBounds } from '../../domain/dates';

/** `arb` in one case out of `n`, else undefined. */
const oneIn = <T>(arb: fc.Arbitrary<T>, n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

export interface FuzzCase {
  op: string;
  method: string;
  /** The path as sent, query included. */
  path: string;
  /** Username whose token is sent, or a description of the bad credentials. */
  as: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was done to the request, for the report. */
  mutation: string;
  /** The request breaks a rule whatever the resource's state: only 400 will do. */
  mustRefuse: boolean;
}

/** Percent-encoding that cannot throw: a lone surrogate (which UTF-8 cannot carry) goes as U+FFFD. */
const pct = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const describeBody = (b: FuzzCase['body']) => {
  if (b === undefined) return '(none)';
  const text = Buffer.isBuffer(b) ? `<${b.length} bytes> ${b.toString('base64').slice(0, 200)}` : b;
  return text.length > 1500 ? `${JSON.stringify(text.slice(0, 1500))}… (${text.length} chars)` : JSON.stringify(text);
};

export function describeCase(c: FuzzCase): string {
  return [
    `operation: ${c.op}`,
    `request:   ${c.method} ${c.path.length > 600 ? `${c.path.slice(0, 600)}… (${c.path.length} chars)` : c.path}`,
    `as:        ${c.as}`,
    `mutation:  ${c.mutation}${c.mustRefuse ? ' (must be refused with 400)' : ''}`,
    `headers:   ${JSON.stringify(Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, k === 'authorization' ? `${v.slice(0, 16)}…` : v])))}`,
    `body:      ${describeBody(c.body)}`,
  ].join('\n');
}

/** Shows a case compactly in fast-check's counterexample. */
function printable(c: FuzzCase): FuzzCase {
  return Object.defineProperty(c, fc.toStringMethod, { value: () => `\n${describeCase(c)}\n`, enumerable: false });
}

type Auth = { as: string; token?: string; proper: boolean; actor?: World['actors'][string] };

function authArb(op: Operation, world: World): fc.Arbitrary<Auth> {
  const users = (names: string[]) => fc.constantFrom(...names).map((u) => ({ as: u, token: world.actors[u]!.token, proper: true, actor: world.actors[u] }));
  const allowed: fc.Arbitrary<Auth> =
    op.auth === 'public'
      ? fc.constant({ as: '(nobody)', proper: true })
      : op.auth === 'signed-in'
        ? users(Object.values(USER_OF_ROLE))
        : users(op.auth.flatMap((r) => (r === 'applicant' ? world.applicants : [USER_OF_ROLE[r]!])));
  const others = Object.entries(USER_OF_ROLE)
    .filter(([role]) => Array.isArray(op.auth) && !op.auth.includes(role))
    .map(([, u]) => u);
  const hostile: fc.Arbitrary<Auth>[] = [
    fc.constant({ as: '(no token)', proper: false }),
    fc.constantFrom('garbage', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'a.b.c', `${world.actors.admin!.token}x`).map((t) => ({ as: `(forged token ${t.slice(0, 12)}…)`, token: t, proper: false })),
  ];
  if (others.length) hostile.push(fc.constantFrom(...others).map((u) => ({ as: `${u} (role not allowed)`, token: world.actors[u]!.token, proper: false })));
  return fc.oneof({ weight: 24, arbitrary: allowed }, { weight: 1, arbitrary: fc.oneof(...hostile) });
}

interface PathPart {
  raw: string;
  hostile?: string;
  refuse: boolean;
}

function pathArb(op: Operation, world: World, schemas: SchemaArbitraries): fc.Arbitrary<PathPart> {
  const params = op.params.filter((p) => p.in === 'path');
  if (!params.length) return fc.constant({ raw: op.path, refuse: false });
  const one = params.map((p) => {
    const real = world.pathValues(op.path, p.name);
    const choices: Array<fc.WeightedArbitrary<{ v: string; hostile?: string; refuse: boolean }>> = [
      { weight: 2, arbitrary: schemas.valueFor(p.schema).map((v) => ({ v: pct(String(v)), refuse: false })) },
      { weight: 2, arbitrary: hostilePathSegment.map((s) => ({ v: s.raw, hostile: `${p.name}=${s.raw.slice(0, 40)}`, refuse: s.unstorable })) },
    ];
    if (real.length) choices.push({ weight: 16, arbitrary: fc.constantFrom(...real).map((v) => ({ v: pct(v), refuse: false })) });
    return fc.oneof(...choices).map((x) => ({ name: p.name, ...x }));
  });
  return fc.tuple(...one).map((parts) => {
    let raw = op.path;
    for (const p of parts) raw = raw.replace(`{${p.name}}`, p.v);
    const hostile = parts.filter((p) => p.hostile).map((p) => p.hostile);
    return { raw, hostile: hostile.length ? `path ${hostile.join(', ')}` : undefined, refuse: parts.some((p) => p.refuse) };
  });
}

function queryArb(op: Operation, schemas: SchemaArbitraries): fc.Arbitrary<PathPart> {
  const params = op.params.filter((p) => p.in === 'query');
  const pieces = params.map((p) => {
    const value = schemas.valueFor(p.schema, p.name).map((v) => `${p.name}=${pct(String(v))}`);
    return p.required ? value : fc.option(value, { freq: 2, nil: undefined });
  });
  const extra = oneIn(hostileQuery, 8);
  return fc.tuple(fc.tuple(...pieces), extra).map(([given, odd]) => {
    const parts = given.filter((x): x is string => x !== undefined);
    if (odd) parts.push(odd.raw);
    return { raw: parts.length ? `?${parts.join('&')}` : '', hostile: odd ? `query ${odd.raw.slice(0, 60)}` : undefined, refuse: odd?.unstorable ?? false };
  });
}

/** Every place in a value made from `schema`, with the schema that place has. */
function places(value: unknown, schema: JsonSchema, schemas: SchemaArbitraries, path: string[] = []): Array<{ path: string[]; schema: JsonSchema; parent?: JsonSchema }> {
  const out: Array<{ path: string[]; schema: JsonSchema }> = [];
  const s = schemas.resolve(schema);
  if (value && typeof value === 'object' && !Array.isArray(value) && s.properties) {
    for (const [k, v] of Object.entries(value)) {
      const sub = s.properties[k];
      if (!sub) continue;
      out.push({ path: [...path, k], schema: sub });
      out.push(...places(v, sub, schemas, [...path, k]));
    }
  }
  return out;
}

function setAt(value: unknown, path: string[], v: unknown): unknown {
  if (!path.length) return v;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const [k, ...rest] = path;
  copy[k!] = setAt(copy[k!], rest, v);
  return copy;
}

function objectAt(value: unknown, path: string[]): Record<string, unknown> | undefined {
  let cur = value;
  for (const k of path) cur = (cur as Record<string, unknown>)?.[k];
  return cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>) : undefined;
}

const jsType = (v: unknown) => (v instanceof JsonLiteral ? (v.nesting ? 'deep' : 'number') : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** True when `v` cannot be a value of `schema` by its JSON type alone. */
function wrongType(v: unknown, schema: JsonSchema, schemas: SchemaArbitraries): boolean {
  const s = schemas.resolve(schema);
  if (s.anyOf || s.oneOf || s.type === undefined) return false;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const t = jsType(v);
  return !types.some((want) => want === t || (want === 'integer' && t === 'number'));
}

interface BodyPart {
  body?: string | Buffer;
  contentType?: string;
  mutation?: string;
  refuse: boolean;
}

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'status', 'role', 'isAdmin', '', ' ', 'a'.repeat(300), 'reason ', 'Reason'),
  unstorableString,
  fc.string({ maxLength: 10 }),
);

function jsonBodyArb(op: Operation, schemas: SchemaArbitraries, hinted: SchemaArbitraries): fc.Arbitrary<BodyPart> {
  const valid = hinted.valueFor(op.body!);
  const s = schemas.resolve(op.body!);
  return valid.chain((v) => {
    const spots = places(v, op.body!, schemas);
    const asJson = (value: unknown, mutation?: string, refuse = false): BodyPart => ({ body: jsonText(value), contentType: 'application/json', mutation, refuse: refuse || breaksInputRules(value) });
    const options: Array<fc.WeightedArbitrary<BodyPart>> = [
      { weight: 6, arbitrary: fc.constant(asJson(v)) },
      {
        weight: 3,
        arbitrary: fc.tuple(fc.constantFrom(...(spots.length ? spots : [{ path: [], schema: op.body! }])), hostileValue).map(([spot, bad]) =>
          asJson(setAt(v, spot.path, bad), `body ${spot.path.join('.') || '(whole)'} = ${JSON.stringify(bad)?.slice(0, 80)}`, wrongType(bad, spot.schema, schemas)),
        ),
      },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.constantFrom(...(spots.length ? spots : [{ path: [], schema: op.body! }])), unstorableString).map(([spot, bad]) =>
          asJson(setAt(v, spot.path, bad), `body ${spot.path.join('.') || '(whole)'} = ${JSON.stringify(bad)}`, true),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(extraKey, hostileValue).map(([k, x]) => {
          const copy = { ...(v as object) };
          Object.defineProperty(copy, k, { value: x, enumerable: true, configurable: true, writable: true });
          // additionalProperties: false everywhere, so an unknown key is always refused.
          return asJson(copy, `extra key ${JSON.stringify(k).slice(0, 40)}`, s.additionalProperties === false && !(k in (s.properties ?? {})));
        }),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...(s.required?.length ? s.required : [''])).map((k) => {
          if (!k) return asJson(v);
          const { [k]: _gone, ...rest } = v as Record<string, unknown>;
          return asJson(rest, `missing ${k}`, true);
        }),
      },
      {
        weight: 1,
        arbitrary: fc.oneof(
          hostileValue.filter((x) => jsType(x) !== 'object').map((x) => asJson(x, `whole body = ${JSON.stringify(x)?.slice(0, 80)}`, true)),
          fc.integer({ min: 33, max: 200_000 }).map((d) => asJson(deepArray(d), `whole body ${d} deep`, true)),
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          // Each is not JSON, or not an object; a leading BOM alone is fine (the parser drops it).
          .constantFrom('{', '{"a":}', 'nul', "{'a':1}", '{"a":1,}', '{"a":1} x', '\ufeff{"a":1', '{"a":1 /* c */}', '[1,]', 'NaN', '"\\ud800"', '{"a":"\\u0000"}')
          .map((t) => ({ body: t, contentType: 'application/json', mutation: `raw body ${JSON.stringify(t)}`, refuse: true })),
      },
    ];
    const topLevel = spots.filter((p) => p.path.length === 1);
    if (topLevel.length) {
      options.push({
        weight: 1,
        // The last of two equal keys wins; it holds the NUL.
        arbitrary: fc.constantFrom(...topLevel).map((spot) => {
          const text = jsonText(v).replace(/^\{/, `{${JSON.stringify(spot.path[0])}:"first",`).replace(/\}$/, `,${JSON.stringify(spot.path[0])}:"x\\u0000"}`);
          return { body: text, contentType: 'application/json', mutation: `duplicate key ${spot.path[0]}`, refuse: true };
        }),
      });
    }
    options.push(
      {
        weight: 1,
        arbitrary: fc.constantFrom(0, 1).map((kind) =>
          kind === 0
            ? { body: `{"x":"${'y'.repeat(1_100_000)}"}`, contentType: 'application/json', mutation: 'body over 1 MB', refuse: false }
            : { body: '', contentType: 'application/json', mutation: 'empty body', refuse: false },
        ),
      },
    );
    return fc.oneof(...options);
  });
}

function uploadArb(world: World): fc.Arbitrary<BodyPart & { query?: string }> {
  const lastQuarter = world.pathValues('/v1/periods/{quarter}', 'quarter')[0]!;
  const quarter = fc.oneof({ weight: 6, arbitrary: fc.constant(lastQuarter) }, { weight: 1, arbitrary: fc.constantFrom('0000Q1', '2027Q5', '9999Q4', '') }, { weight: 1, arbitrary: unstorableString });
  const bankId = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(world.orgs.bankA, world.orgs.bankB) }, { weight: 1, arbitrary: fc.constantFrom('nope', world.orgs.communityA, '') });
  const encoding = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom('utf-8', 'gb18030') }, { weight: 1, arbitrary: fc.constantFrom('latin1', '', 'UTF-8') });
  const fileName = fc.oneof({ weight: 6, arbitrary: fc.constant('statement.csv') }, { weight: 1, arbitrary: fc.constantFrom('对账单.csv', 'a'.repeat(300), '../../x.csv', '') }, { weight: 1, arbitrary: unstorableString.map((s) => `s${s}.csv`) });
  const inQuarter = fc.integer({ min: 0, max: 80 }).map((n) => addDays(quarterBounds(lastQuarter).start, n));
  const line = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(inQuarter, fc.uuid(), fc.integer({ min: 1, max: 10_000_00 }), fc.string({ maxLength: 20 })).map(([d, ref, fen, text]) => `${d},${ref},${(fen / 100).toFixed(2)},${text.replace(/[,"\r\n]/g, ' ')}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('2026-04-15', '0000-01-01', '2027-02-29', 'x'), fc.string({ maxLength: 20 }), fc.constantFrom('10.00', '-1', '1e3', '99999999999999999.99'), fc.string({ maxLength: 20 })).map((cells) => cells.join(',')) },
    { weight: 1, arbitrary: fc.constantFrom('a,b,c,d,e,f', '"unterminated,1,2', '\u0000,\u0000,\u0000') },
  );
  const content = fc.oneof(
    { weight: 6, arbitrary: fc.array(line, { minLength: 1, maxLength: 4 }).map((ls) => ['date,reference,amount,description', ...ls].join('\n') + '\n') },
    { weight: 1, arbitrary: fc.constantFrom('', 'PK\u0003\u0004garbage', '\ufeffdate,reference,amount\n') },
    // Each line the largest amount a line may hold; a few hundred add up past any total.
    { weight: 1, arbitrary: fc.tuple(inQuarter, fc.integer({ min: 1, max: 300 })).map(([d, n]) => ['date,reference,amount', ...Array.from({ length: n }, (_, i) => `${d},R-${i},9999999999999999.99`)].join('\n') + '\n') },
  );
  return fc.record({ quarter, bankId, encoding, fileName, content, raw: fc.boolean() }).map((f) => {
    // Sent as UTF-8, a lone surrogate arrives as U+FFFD, which is storable: only NUL must be refused.
    const refuse = f.quarter.includes('\u0000') || (!f.raw && f.fileName.includes('\u0000'));
    const mutation = `statement ${f.raw ? 'as the body' : 'as a form'} ${JSON.stringify({ ...f, content: f.content.slice(0, 120) })}`;
    if (f.raw) {
      const query = `?quarter=${pct(f.quarter)}&bankId=${pct(f.bankId)}${f.encoding !== undefined ? `&encoding=${pct(f.encoding)}` : ''}`;
      const fileNameHeader = /^[\x20-\x7e]*$/.test(f.fileName) ? f.fileName : 'statement.csv';
      return { body: f.content, contentType: 'text/csv', query, fileNameHeader, mutation, refuse };
    }
    const boundary = 'fuzzfuzzboundary';
    const part = (name: string, value: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const fields = part('quarter', f.quarter) + part('bankId', f.bankId) + (f.encoding !== undefined ? part('encoding', f.encoding) : '');
    const file = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename*=utf-8''${pct(f.fileName)}\r\ncontent-type: text/csv\r\n\r\n${f.content}\r\n--${boundary}--\r\n`;
    return { body: Buffer.from(fields + file, 'utf8'), contentType: `multipart/form-data; boundary=${boundary}`, mutation, refuse };
  });
}

/** The header mutations, applied to a case that otherwise stands. */
const headerMutation = fc.oneof(
  hostileContentType.map((v) => ({ header: 'content-type', value: v })),
  hostileContentEncoding.map((v) => ({ header: 'content-encoding', value: v })),
  hostileIdempotencyKey.map((v) => ({ header: 'idempotency-key', value: v })),
  fc.constantFrom('', 'x'.repeat(300), '../x', 'ok-id').map((v) => ({ header: 'x-request-id', value: v })),
);

export function caseArbitrary(ops: Operation[], world: World, components: Record<string, JsonSchema>): fc.Arbitrary<FuzzCase> {
  const schemas = new SchemaArbitraries(components);
  // Arbitraries are built once (per operation, and per caller for bodies, whose hints name the
  // caller's own ID number and certificate): building them costs far more than drawing from them.
  const hinted = new Map<string, SchemaArbitraries>();
  const schemasFor = (auth: Auth) => {
    const actor = auth.actor ?? world.actors.applicant!;
    let s = hinted.get(actor.username);
    if (!s) hinted.set(actor.username, (s = schemas.withHints(world.hints(actor))));
    return s;
  };
  const noBody = fc.oneof(
    { weight: 12, arbitrary: fc.constant<BodyPart>({ refuse: false }) },
    { weight: 1, arbitrary: hostileValue.map((x) => ({ body: jsonText(x), contentType: 'application/json', mutation: 'a body where none is taken', refuse: false })) },
  );
  const upload = uploadArb(world);
  const bodies = new Map<string, fc.Arbitrary<BodyPart & { query?: string; fileNameHeader?: string }>>();
  const bodyFor = (op: Operation, auth: Auth) => {
    const k = `${op.id} ${auth.actor?.username ?? ''}`;
    let b = bodies.get(k);
    if (!b) bodies.set(k, (b = op.upload ? upload : op.body ? jsonBodyArb(op, schemas, schemasFor(auth)) : noBody));
    return b;
  };
  const idempotencyKey = fc.oneof(
    { weight: 5, arbitrary: fc.uuid().map((u) => `fz-${u}`) },
    { weight: 2, arbitrary: fc.constantFrom('fz-reused-1', 'fz-reused-2') },
    { weight: 3, arbitrary: fc.constant(undefined) },
  );
  const headerOdd = oneIn(headerMutation, 10);
  // Query values get the hints too (dates, quarters, bank ids): they name no caller.
  const forQueries = schemas.withHints(world.hints(world.actors.auditor!));
  const perOp = new Map(ops.map((op) => [op.id, { auth: authArb(op, world), path: pathArb(op, world, schemas), query: queryArb(op, forQueries), key: op.idempotent ? idempotencyKey : fc.constant(undefined) }]));
  return fc.constantFrom(...ops).chain((op) => {
    const a = perOp.get(op.id)!;
    return a.auth.chain((auth) => {
      return fc.record({ path: a.path, query: a.query, body: bodyFor(op, auth), key: a.key, headerOdd }).map(({ path, query, body, key, headerOdd }) => {
        const headers: Record<string, string> = {};
        if (auth.token) headers.authorization = `Bearer ${auth.token}`;
        if (body.contentType !== undefined && body.body !== undefined) headers['content-type'] = body.contentType;
        if (key) headers['idempotency-key'] = key;
        if (body.fileNameHeader) headers['x-file-name'] = body.fileNameHeader;
        if (headerOdd) headers[headerOdd.header] = headerOdd.value;
        const mutations = [path.hostile, query.hostile, body.mutation, headerOdd ? `header ${headerOdd.header}: ${JSON.stringify(headerOdd.value).slice(0, 60)}` : undefined, auth.proper ? undefined : `credentials ${auth.as}`];
        // With the right credentials and headers, what breaks the input rules can only be a 400.
        const mustRefuse = auth.proper && !headerOdd && (path.refuse || query.refuse || body.refuse);
        const q = op.upload && body.query ? body.query + (query.raw ? `&${query.raw.slice(1)}` : '') : query.raw;
        return printable({
          op: op.id,
          method: op.method,
          path: path.raw + q,
          as: auth.as,
          headers,
          body: body.body,
          mutation: mutations.filter(Boolean).join('; ') || 'none (a valid request)',
          mustRefuse,
        });
      });
    });
  });
}
