/**
 * One place where tests get their real infrastructure:
 *
 *   const env = await testEnv();      // in a before() hook
 *
 * gives a fresh embedded PostgreSQL (own temp folder, free port, migrated), the Temporal dev
 * server (CLI from .tools/) and, on first use of `env.timeSkipping()`, the Java time-skipping
 * server. All are started once per mocha run, shared by every file, and stopped by the root
 * hook in hooks.ts. Nothing here touches the data of `npm start`.
 *
 * Each server's start is bounded and fails with one line naming it (scripts/lib/service-process.ts).
 * The first failure sticks: every later testEnv() rejects at once with the same line, so a run
 * whose servers cannot start ends in seconds instead of waiting out every file's hook timeout.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ConnectionPlugin } from '@temporalio/client';
import { PRELOADED_WORKFLOW_MODULES } from '../../scripts/lib/workflow-bundle';
import { bundleWorkflowCode, Worker, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../db/embedded';
import { createDb, migrateLatest } from '../../db/knex';
import { ensureAppRole, urlAs } from '../../db/app-role';
import { createActivities, type ActivityDeps } from '../../activities';
import { systemClock } from '../../activities/clock';
import { temporalCliPath, timeSkippingServerPath } from './tools';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { ServiceStartError, messageOf } from '../../scripts/lib/service-process';
import { startTimeSkippingServer, timeSkippingEnvironmentOn } from './time-skipping-server';
import { seedDemoData } from '../../scripts/lib/demo-seed';

export interface TestEnv {
  pg: EmbeddedPg;
  /** The application's connection: role loanflow_app, rows only, as `npm start` connects (db/app-role.ts). */
  databaseUrl: string;
  db: Knex;
  /** The schema's owner (the cluster's superuser): for what only an attacker or a DBA could do. */
  adminDb: Knex;
  /** A fresh database of its own, migrated by its owner, with the application's role granted. */
  newDatabase(prefix: string, opts?: { seed?: boolean; pool?: number }): Promise<AppDatabase>;
  /** The Temporal dev server (real server, SQLite in memory), through the SDK's test environment. */
  temporal: TestWorkflowEnvironment;
  /** The Java test server with time skipping; started on first call (its client sends no keepalive pings). */
  timeSkipping(): Promise<TestWorkflowEnvironment>;
  /** Workflow code bundled once for the whole run. */
  workflowBundle(): Promise<WorkflowBundleWithSourceMap>;
  /** A worker on a fresh task queue of `on`, running our workflows and activities built from `deps`. */
  createWorker(on: TestWorkflowEnvironment, opts?: { taskQueue?: string; deps?: Partial<ActivityDeps> }): Promise<{ worker: Worker; taskQueue: string }>;
}

export interface AppDatabase {
  name: string;
  /** As the application (loanflow_app). */
  db: Knex;
  url: string;
  /** As the owner. */
  admin: Knex;
  adminUrl: string;
}

/** The application's role in the test cluster (roles are per cluster; grants per database). */
export const TEST_APP_ROLE = { name: 'loanflow_app', password: 'loanflow-test-app' };

const owners = new WeakMap<Knex, Knex>();

/**
 * The owner's connection to a database whose application connection is `db` (the shared one, or one
 * from newDatabase): the owner can switch triggers off, as an attacker with its password could;
 * the application cannot.
 */
export function adminOf(db: Knex): Knex {
  const admin = owners.get(db);
  if (!admin) throw new Error('adminOf: not a connection made by testEnv');
  return admin;
}

/** For a connection a test made itself: adminOf(app) then answers `owner`. */
export function withOwner(app: Knex, owner: Knex): Knex {
  owners.set(app, owner);
  return app;
}

let envPromise: Promise<TestEnv> | undefined;
/** The first failed start of a server: later calls fail with it at once. */
let failure: ServiceStartError | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

let queueCounter = 0;
export function uniqueTaskQueue(prefix = 'test'): string {
  queueCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${queueCounter}`;
}

async function start(): Promise<TestEnv> {
  // Keep the Rust core quiet unless something is wrong.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-test-'));
  cleanups.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(tmp, 'pg'),
    port: await freePort(),
    database: 'loanflow_test',
    persistent: false,
  });
  cleanups.push(() => pg.stop());
  /** Migrated by its owner, the application's role granted, both connections kept for the run. */
  const prepare = async (name: string, adminUrl: string, opts: { seed?: boolean; pool?: number; adminPool?: number } = {}): Promise<AppDatabase> => {
    const admin = createDb(adminUrl, { max: opts.adminPool ?? 2 });
    cleanups.push(() => admin.destroy());
    await migrateLatest(admin);
    await ensureAppRole(admin, TEST_APP_ROLE);
    const url = urlAs(adminUrl, TEST_APP_ROLE);
    const appDb = createDb(url, { max: opts.pool ?? 20 });
    cleanups.push(() => appDb.destroy());
    // Officers' accounts are made by the schema's owner or the admin path, never the application.
    if (opts.seed) await seedDemoData(admin);
    owners.set(appDb, admin);
    return { name, db: appDb, url, admin, adminUrl };
  };
  // The demo organisations and users of API.md: tests act as those officers.
  const main = await prepare('loanflow_test', pg.url, { seed: true, adminPool: 4 });

  let databases = 0;
  const newDatabase: TestEnv['newDatabase'] = async (prefix, opts = {}) => {
    databases += 1;
    const name = `${prefix}_${process.pid}_${databases}`;
    await pg.createDatabase(name);
    return prepare(name, pg.urlFor(name), opts);
  };

  const devServer = await startTemporalDevServer({
    cli: temporalCliPath,
    port: await freePort(),
    namespace: 'default',
    // As the SDK's own dev-server environment configures it.
    extraArgs: SDK_DEV_SERVER_CONFIG.flatMap((v) => ['--dynamic-config-value', v]),
  });
  cleanups.push(() => devServer.stop());
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: devServer.address, namespace: 'default' });
  cleanups.push(() => temporal.teardown());

  let skipping: Promise<TestWorkflowEnvironment> | undefined;
  const timeSkipping = () => {
    skipping ??= (async () => {
      const server = await startTimeSkippingServer({ executable: timeSkippingServerPath, port: await freePort() });
      cleanups.push(() => server.process.stop());
      const e = await timeSkippingEnvironmentOn(server.address, [withoutKeepalivePings]);
      cleanups.push(() => e.teardown());
      return e;
    })().catch((e: unknown) => {
      throw remember(e);
    });
    return skipping;
  };

  let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
  const workflowBundle = () => {
    bundle ??= bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      preloadModules: PRELOADED_WORKFLOW_MODULES,
      logger: new DefaultLogger('WARN'),
    });
    return bundle;
  };

  const createWorker: TestEnv['createWorker'] = async (on, opts = {}) => {
    const taskQueue = opts.taskQueue ?? uniqueTaskQueue();
    const deps: ActivityDeps = { db: main.db, clock: systemClock, ...opts.deps };
    const worker = await Worker.create({
      connection: on.nativeConnection,
      namespace: on.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities(deps),
    });
    return { worker, taskQueue };
  };

  return { pg, databaseUrl: main.url, db: main.db, adminDb: main.admin, newDatabase, temporal, timeSkipping, workflowBundle, createWorker };
}

/**
 * The time-skipping environment's client connection (API calls, sleep, current time) sends no
 * keepalive pings. The SDK's client pings every 30 s; the Java test server allows one ping per 5
 * minutes and answers more with GOAWAY (too_many_pings), and a GOAWAY that lands on an in-flight
 * unlockTimeSkippingWithSleep can leave time skipping stuck for good. A connection plugin (the
 * SDK's public hook for connection options); workers keep the environment's native connection.
 */
const withoutKeepalivePings: ConnectionPlugin = {
  name: 'loanflow-test-no-keepalive-pings',
  configureConnection: (options) => ({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 24 * 3600 * 1000, 'grpc.keepalive_permit_without_calls': 0 },
  }),
};

/**
 * Terminates every open workflow on a (time-skipping) server. Workflows left open by a test file
 * whose worker has gone get workflow tasks nobody takes once their timers fire, and the test
 * server stops skipping time while a task is outstanding: files that skip time clean up after
 * themselves, and before, in case an earlier file did not.
 */
export async function terminateOpenWorkflows(on: TestWorkflowEnvironment, reason: string): Promise<void> {
  const open = await on.client.workflowService.listOpenWorkflowExecutions({ namespace: on.namespace ?? 'default', maximumPageSize: 1000 });
  for (const e of open.executions) {
    const id = e.execution?.workflowId;
    if (id) await on.client.workflow.getHandle(id, e.execution?.runId ?? undefined).terminate(reason).catch(() => undefined);
  }
}

/** The dynamic configuration the SDK's createLocal gives its dev server. */
const SDK_DEV_SERVER_CONFIG = [
  'frontend.enableServerVersionCheck=false',
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
];

/** Keeps the first failure, as one line naming the service (a ServiceStartError already is one). */
function remember(e: unknown): ServiceStartError {
  failure ??= e instanceof ServiceStartError ? e : new ServiceStartError(`test environment did not start: ${messageOf(e)}`);
  return failure;
}

export function testEnv(): Promise<TestEnv> {
  if (failure) return Promise.reject(failure);
  envPromise ??= start().catch((e: unknown) => {
    throw remember(e);
  });
  return envPromise;
}

/** Called once by the root hook after the last test. */
/** Runs `fn` when the shared environment stops (after the last file): for other shared helpers, such as the browser. */
export function atTestEnvStop(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

export async function stopTestEnv(): Promise<void> {
  if (!envPromise) return;
  await envPromise.catch(() => undefined);
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    await fn().catch((e) => console.error('test cleanup failed:', e));
  }
  envPromise = undefined;
}
