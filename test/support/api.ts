/**
 * The HTTP API on a free port, wired to the test database and a Temporal environment, with a
 * worker running our workflows on its own task queue — the whole product, as a client sees it.
 */
import pino from 'pino';
import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { listen } from '../../scripts/lib/api-server';
import { terminateOpenWorkflows, testEnv, type TestEnv } from './env';
import { DEMO_PASSWORD } from '../../scripts/lib/demo-seed';
import { checkCharFor } from '../../domain/id-number';
import type { ActivityDeps } from '../../activities';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiHarness {
  url: string;
  taskQueue: string;
  temporal: TestWorkflowEnvironment;
  /** Undefined when started with runWorker: false. */
  worker: Worker;
  call<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** One HTTP call as a client makes it: a bearer token, a JSON body; the answer's body parsed when it is JSON. */
export async function callApi<T = any>(url: string, method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. /docs)
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export async function startApi(
  env: TestEnv,
  opts: { on?: TestWorkflowEnvironment; now?: () => Date; deps?: Partial<ActivityDeps>; runWorker?: boolean; logger?: pino.Logger } = {},
): Promise<ApiHarness> {
  const temporal = opts.on ?? env.temporal;
  // On the time-skipping server, open workflows left by an earlier file would stall time skipping.
  if (temporal.supportsTimeSkipping) await terminateOpenWorkflows(temporal, 'left by an earlier test file');
  // A worker that never runs would hold the connection open; without one, use a queue nobody polls.
  const created = opts.runWorker === false ? undefined : await env.createWorker(temporal, { deps: opts.deps });
  const taskQueue = created?.taskQueue ?? 'unpolled';
  const worker = created?.worker as Worker;
  const running = created ? worker.run() : undefined;
  const api = await listen(
    {
      db: env.db,
      temporal: temporal.client,
      taskQueue,
      logger: opts.logger ?? pino({ level: 'silent' }),
      jwtSecret: 'test-secret-test-secret-test-secret!',
      tokenTtlSeconds: 3600,
      // The suite registers every applicant from this one address; test/auth/login.test.ts tries the limits.
      registerLimits: { perAddress: 1_000_000, overall: 1_000_000 },
      ...(opts.now ? { now: opts.now } : {}),
    },
    0,
    '127.0.0.1',
  );
  const tokens = new Map<string, string>();
  const call: ApiHarness['call'] = (method, path, o) => callApi(api.url, method, path, o);
  return {
    url: api.url,
    taskQueue,
    temporal,
    worker,
    call,
    async login(username, password = DEMO_PASSWORD) {
      const key = `${username}:${password}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const r = await call('POST', '/v1/auth/login', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(key, r.body.token);
      return r.body.token;
    },
    async close() {
      await api.close();
      if (running) {
        worker.shutdown();
        await running;
      }
      if (temporal.supportsTimeSkipping) await terminateOpenWorkflows(temporal, 'end of test file');
    },
  };
}

/** A fresh, valid resident ID number (GB 11643), born `birth` (YYYYMMDD); random, so unused. */
export function newIdNumber(birth = '19900101'): string {
  const first17 = `${randomInt(110000, 660000)}${birth}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return first17 + checkCharFor(first17);
}

export interface Applicant {
  username: string;
  token: string;
  userId: string;
  idNumber: string;
  name: string;
  certificateNo: string;
}

let applicantCounter = 0;
/** Registers a new applicant account and, through the trainer, a valid certificate for them. */
export async function newApplicant(h: ApiHarness, o: { birth?: string; issuedOn?: string; withCertificate?: boolean } = {}): Promise<Applicant> {
  applicantCounter += 1;
  const tag = `${Date.now().toString(36)}${applicantCounter}`;
  const idNumber = newIdNumber(o.birth);
  const username = `app-${tag}`;
  const name = `Applicant ${tag}`;
  const reg = await h.call('POST', '/v1/auth/register', { body: { username, password: 'password-1', idNumber, name, phone: '13900000000' } });
  if (reg.status !== 202) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = await h.login(username, 'password-1');
  // Registration answers alike whether or not it made the account; the account itself says who it is.
  const me = await h.call('GET', '/v1/me', { token });
  const certificateNo = `SYB-${tag}`.toUpperCase();
  if (o.withCertificate !== false) {
    const trainer = await h.login('trainer');
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const c = await h.call('POST', '/v1/certificates', {
      token: trainer,
      body: { certificateNo, holderIdNumber: idNumber, holderName: name, course: 'SYB', issuedOn: o.issuedOn ?? today },
    });
    if (c.status !== 201) throw new Error(`certificate: ${c.status} ${JSON.stringify(c.body)}`);
  }
  return { username, token, userId: me.body.id, idNumber, name, certificateNo };
}

/** The demo organisations of API.md (seeded in every test database), by role. */
export interface DemoOrgs {
  communityA: string;
  communityB: string;
  guarantee: string;
  bankA: string;
  bankB: string;
  training: string;
}

export async function demoOrgs(env: TestEnv): Promise<DemoOrgs> {
  const byName = async (type: string, nth = 0) => (await env.db('organisations').where({ type }).orderBy('name'))[nth].id as string;
  const communities = await env.db('organisations').where({ type: 'community' });
  const banks = await env.db('organisations').where({ type: 'bank' });
  const nameIs = (rows: Array<{ id: string; name: string }>, name: string) => rows.find((r) => r.name === name)!.id;
  return {
    communityA: nameIs(communities, 'Nanguan Credit Community'),
    communityB: nameIs(communities, 'Kuancheng Credit Community'),
    guarantee: await byName('guarantee_company'),
    bankA: nameIs(banks, 'Changchun Rural Commercial Bank'),
    bankB: nameIs(banks, 'Jilin Bank Changchun Branch'),
    training: await byName('training_institution'),
  };
}

export interface ApiSuite {
  env: TestEnv;
  /** The time-skipping server, when asked for; else undefined. */
  skipping: TestWorkflowEnvironment;
  h: ApiHarness;
  orgs: DemoOrgs;
}

/**
 * What an HTTP test file starts with: the shared test environment, the API and a worker (on the
 * time-skipping server when `timeSkipping`), and the demo organisations. Call it in before(); close
 * `h` in after().
 */
export async function openApiSuite(opts: { timeSkipping?: boolean; now?: () => Date } = {}): Promise<ApiSuite> {
  const env = await testEnv();
  const skipping = opts.timeSkipping ? await env.timeSkipping() : (undefined as unknown as TestWorkflowEnvironment);
  const h = await startApi(env, { on: opts.timeSkipping ? skipping : undefined, now: opts.now });
  return { env, skipping, h, orgs: await demoOrgs(env) };
}

/**
 * openApiSuite() for a describe block: opened in its before(), closed in its after(). The object
 * returned is filled in by before(), so read its fields inside the tests.
 */
export function useApiSuite(opts: { timeSkipping?: boolean; now?: () => Date } = {}): ApiSuite {
  const s = {} as ApiSuite;
  before(async () => {
    Object.assign(s, await openApiSuite(opts));
  });
  after(async () => {
    await s.h?.close();
  });
  return s;
}

/** Closes what a test file opened (in after(): what before() got to open): the API, then its database's pool. */
export async function closeSuite(s: { h?: ApiHarness; db?: Knex }): Promise<void> {
  await s.h?.close();
  await s.db?.destroy();
}

export interface PrivateSuite extends ApiSuite {
  /** The suite's own database (seeded with the demo data). */
  db: Knex;
  /** With timeSkipping: sets the API's "today" to the time-skipping server's now; call it after moving that server's time. */
  syncClock(): Promise<void>;
}

/**
 * For a file that writes what other files would see: a seeded database of its own (`name`, `pool`
 * connections) and the API on it (and a worker unless `runWorker: false`); with `timeSkipping`, the worker on the time-skipping server and the API's clock
 * following that server's when `syncClock()` is called. Call it in before(); close `h` in after().
 */
export async function openPrivateSuite(name: string, opts: { timeSkipping?: boolean; runWorker?: boolean; pool?: number } = {}): Promise<PrivateSuite> {
  const env = await testEnv();
  const db = (await env.newDatabase(name, { seed: true, pool: opts.pool })).db;
  const orgs = await demoOrgs({ ...env, db });
  if (!opts.timeSkipping) {
    const h = await startApi({ ...env, db }, { deps: { db }, runWorker: opts.runWorker });
    return { env, db, skipping: undefined as unknown as TestWorkflowEnvironment, h, orgs, syncClock: async () => undefined };
  }
  const skipping = await env.timeSkipping();
  let serverNow = await skipping.currentTimeMs();
  const h = await startApi({ ...env, db }, { on: skipping, deps: { db }, now: () => new Date(serverNow) });
  const syncClock = async () => {
    serverNow = await skipping.currentTimeMs();
  };
  return { env, db, skipping, h, orgs, syncClock };
}

/** A private suite with the demo users a file signs in as, their tokens by username. */
export interface PrivateSuiteSignedIn extends PrivateSuite {
  tokens: Record<string, string>;
}

/**
 * openPrivateSuite() for a describe block, with the demo users of `logins` signed in: opened in its
 * before() (before the block's own hooks), closed in its after() (the API, then the database's
 * pool). The object returned is filled in by before(), so read its fields inside the tests.
 */
export function usePrivateSuite(name: string, opts: Parameters<typeof openPrivateSuite>[1] & { logins?: string[] } = {}): PrivateSuiteSignedIn {
  const { logins = [], ...open } = opts;
  const s = { tokens: {} } as PrivateSuiteSignedIn;
  before(async () => {
    Object.assign(s, await openPrivateSuite(name, open));
    for (const u of logins) s.tokens[u] = await s.h.login(u);
  });
  after(() => closeSuite(s));
  return s;
}
