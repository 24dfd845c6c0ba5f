/**
 * `npm start`: everything on one machine — embedded PostgreSQL (unless DATABASE_URL), the Temporal
 * dev server (unless TEMPORAL_ADDRESS), migrations, demo data on an empty database, the worker
 * and the API. Ctrl-C stops all of it. Every step is bounded; a step that fails ends the start with
 * one line naming it and its cause, after stopping whatever had started.
 */
import path from 'node:path';
import pino from 'pino';
import { Runtime } from '@temporalio/worker';
import { loadConfig, ConfigError } from '../config';
import { startEmbeddedPostgres } from '../db/embedded';
import { createDb } from '../db/knex';
import { databaseUrls, migrateAsOwner, roleSummary } from './lib/databases';
import { connectTemporalClient } from '../api/temporal';
import { startTemporalDevServer } from './lib/temporal-dev-server';
import { createLoanflowWorker } from './lib/worker';
import { listen } from './lib/api-server';
import { localJwtSecret } from './lib/secrets';
import { requireFreePorts } from './lib/ports';
import { ServiceStartError, messageOf, within } from './lib/service-process';
import { ensureSchedules } from './lib/schedules';
import { isEmpty, seedDemoData, demoUsers, DEMO_PASSWORD } from './lib/demo-seed';
import { ensureWebBuilt } from './lib/web-build';
import { ensureWorkflowBundle } from './lib/workflow-bundle';

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  const step = (msg: string) => console.log(`[loanflow] ${msg} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const stops: Array<() => Promise<unknown>> = [];
  // This launcher owns Ctrl-C: it stops the API, then the worker, then the servers, in order.
  Runtime.install({ shutdownSignals: [] });

  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    const say = exitCode === 0 ? (m: string) => console.log(m) : () => undefined;
    say(`\n[loanflow] ${signal}: stopping...`);
    while (stops.length) await stops.pop()!().catch((e) => console.error(`[loanflow] stop failed: ${messageOf(e)}`));
    say('[loanflow] stopped.');
    process.exit(exitCode);
  };
  /** Runs one step of the start; its failure names the step, unless it already names its service. */
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw e instanceof ServiceStartError ? e : new ServiceStartError(`${what}: ${messageOf(e)}`);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    // Name a taken port up front, rather than failing later with a server's own message.
    await requireFreePorts([
      ...(config.DATABASE_URL ? [] : [{ port: config.PG_PORT, variable: 'PG_PORT' }]),
      ...(config.TEMPORAL_ADDRESS ? [] : [{ port: config.TEMPORAL_PORT, variable: 'TEMPORAL_PORT' }, { port: config.TEMPORAL_UI_PORT, variable: 'TEMPORAL_UI_PORT' }]),
      { port: config.PORT, variable: 'PORT' },
    ]);
    // The console is served by the API as static files; rebuilt only when web/ changed.
    if (await run('web console build', () => ensureWebBuilt())) step('web console built');
    // The workflow bundle is reused while workflows/ and domain/ are unchanged; when they changed,
    // bundling runs while PostgreSQL and Temporal start (other processes).
    const bundling = ensureWorkflowBundle();
    bundling.catch(() => undefined);
    let embeddedUrl: string | undefined;
    let pgData: string | undefined;
    if (!config.DATABASE_URL) {
      const pg = await run('PostgreSQL', () =>
        startEmbeddedPostgres({
          dataDir: path.join(config.DATA_DIR, 'postgres'),
          port: config.PG_PORT,
          database: 'loanflow',
          persistent: true,
          detached: true,
          onLog: (l) => logger.debug({ component: 'postgres' }, l.trim()),
        }),
      );
      stops.push(() => pg.stop());
      embeddedUrl = pg.url;
      pgData = pg.movedBecause ? `${pg.dataDir} (${path.join(config.DATA_DIR, 'postgres')} links there: ${pg.movedBecause})` : pg.dataDir;
      step(`embedded PostgreSQL on port ${config.PG_PORT}, data in ${pgData}`);
    }
    const urls = databaseUrls(config, embeddedUrl);
    const applied = await run('migrations', () => migrateAsOwner(urls));
    step(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
    const db = createDb(urls.app);
    stops.push(() => db.destroy());
    const connectedAs = await run('connecting as the application', () => roleSummary(db));
    const seeded = await run('demo data', () => isEmpty(db));
    if (seeded) {
      // As the schema's owner: officers' accounts are never made by the application's role.
      const owner = createDb(urls.owner, { max: 2 });
      await run('demo data', () => seedDemoData(owner, undefined, { history: true })).finally(() => owner.destroy());
      step('demo data seeded');
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const dev = await run('Temporal dev server', () =>
        startTemporalDevServer({
          dbFile: path.join(config.DATA_DIR, 'temporal.sqlite'),
          port: config.TEMPORAL_PORT,
          uiPort: config.TEMPORAL_UI_PORT,
          namespace: config.TEMPORAL_NAMESPACE,
          detached: true,
          onLog: (l) => logger.debug({ component: 'temporal' }, l.trim()),
        }),
      );
      stops.push(() => dev.stop());
      temporalAddress = dev.address;
      uiUrl = dev.uiUrl;
      step(`Temporal dev server on ${temporalAddress}`);
    }

    const address = temporalAddress;
    const { bundle, built } = await run('workflow bundle', () => within(120_000, 'workflow bundle: not built', bundling));
    if (built) step('workflows bundled');
    const { worker, connection } = await run('worker', () =>
      within(
        60_000,
        `worker: did not connect to Temporal at ${address}`,
        createLoanflowWorker({ address, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE, db, config, workflowBundle: bundle }),
      ),
    );
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await connection.close();
    });
    step(`worker polling task queue "${config.TASK_QUEUE}"`);

    const temporal = await run('Temporal client', () =>
      within(30_000, `Temporal client: did not connect to ${address}`, connectTemporalClient(address, config.TEMPORAL_NAMESPACE)),
    );
    stops.push(() => temporal.connection.close());
    await run('Temporal schedules', () => within(30_000, 'Temporal schedules: not created', ensureSchedules(temporal, config.TASK_QUEUE)));
    const api = await run(`API on port ${config.PORT} (set PORT to use another)`, () => listen(
      {
        db,
        temporal,
        taskQueue: config.TASK_QUEUE,
        logger,
        jwtSecret: localJwtSecret(config.DATA_DIR, config.JWT_SECRET),
        tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
        trustProxy: config.TRUST_PROXY,
      },
      config.PORT,
    ));
    stops.push(() => api.close());

    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`
loanflow is up (${elapsed} s)

  Web console      ${api.url}/
  API              ${api.url}/v1
  API docs         ${api.url}/docs
  Health           ${api.url}/healthz
  Temporal Web UI  ${uiUrl ?? '(external Temporal at ' + temporalAddress + ')'}
  Database         ${config.DATABASE_URL ? 'external (DATABASE_URL)' : `embedded PostgreSQL, data in ${pgData}`}
                   connected ${connectedAs.text}

Demo users${seeded ? ' (just seeded)' : ''}, password "${DEMO_PASSWORD}":
${demoUsers.map((u) => `  ${u.username.padEnd(13)} ${u.role}`).join('\n')}

Ctrl-C stops everything.`);
  } catch (e) {
    console.error(`[loanflow] start failed: ${messageOf(e)}`);
    logger.debug({ err: e }, 'start failed');
    await shutdown('error', 1);
  }
}

main().catch((e) => {
  // An invalid environment lists each variable on a line of its own; anything else is one line.
  console.error(`[loanflow] ${e instanceof ConfigError ? e.message : messageOf(e)}`);
  process.exit(1);
});
