/**
 * `npm start`: everything on one machine — embedded PostgreSQL (unless DATABASE_URL), the Temporal
 * dev server (unless TEMPORAL_ADDRESS), migrations, demo data on an empty database, the worker
 * and the API. Ctrl-C stops all of it.
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
import { ensureSchedules } from './lib/schedules';
import { isEmpty, seedDemoData, demoUsers, DEMO_PASSWORD } from './lib/demo-seed';

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
    console.log(`\n[loanflow] ${signal}: stopping...`);
    while (stops.length) await stops.pop()!().catch((e) => console.error('[loanflow] stop failed:', e));
    console.log('[loanflow] stopped.');
    process.exit(exitCode);
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
    let embeddedUrl: string | undefined;
    if (!config.DATABASE_URL) {
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.DATA_DIR, 'postgres'),
        port: config.PG_PORT,
        database: 'loanflow',
        persistent: true,
        onLog: (l) => logger.debug({ component: 'postgres' }, l.trim()),
      });
      stops.push(() => pg.stop());
      embeddedUrl = pg.url;
      step(`embedded PostgreSQL on port ${config.PG_PORT}`);
    }
    const urls = databaseUrls(config, embeddedUrl);
    const applied = await migrateAsOwner(urls);
    step(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
    const db = createDb(urls.app);
    stops.push(() => db.destroy());
    const connectedAs = await roleSummary(db);
    const seeded = await isEmpty(db);
    if (seeded) {
      // As the schema's owner: officers' accounts are never made by the application's role.
      const owner = createDb(urls.owner, { max: 2 });
      await seedDemoData(owner).finally(() => owner.destroy());
      step('demo data seeded');
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const dev = await startTemporalDevServer({
        dataDir: config.DATA_DIR,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        onLog: (l) => logger.debug({ component: 'temporal' }, l.trim()),
      });
      stops.push(() => dev.stop());
      temporalAddress = dev.address;
      uiUrl = dev.uiUrl;
      step(`Temporal dev server on ${temporalAddress}`);
    }

    const { worker, connection } = await createLoanflowWorker({
      address: temporalAddress,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      db,
      shutdownSignals: [],
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await connection.close();
    });
    step(`worker polling task queue "${config.TASK_QUEUE}"`);

    const temporal = await connectTemporalClient(temporalAddress, config.TEMPORAL_NAMESPACE);
    stops.push(() => temporal.connection.close());
    await ensureSchedules(temporal, config.TASK_QUEUE);
    const api = await listen(
      {
        db,
        temporal,
        taskQueue: config.TASK_QUEUE,
        logger,
        jwtSecret: localJwtSecret(config.DATA_DIR, config.JWT_SECRET),
        tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      },
      config.PORT,
    );
    stops.push(() => api.close());

    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`
loanflow is up (${elapsed} s)

  API              ${api.url}
  API docs         ${api.url}/docs
  Health           ${api.url}/healthz
  Temporal Web UI  ${uiUrl ?? '(external Temporal at ' + temporalAddress + ')'}
  Database         ${config.DATABASE_URL ? 'external (DATABASE_URL)' : `embedded PostgreSQL, data in ${path.join(config.DATA_DIR, 'postgres')}`}
                   connected ${connectedAs.text}

Demo users${seeded ? ' (just seeded)' : ''}, password "${DEMO_PASSWORD}":
${demoUsers.map((u) => `  ${u.username.padEnd(13)} ${u.role}`).join('\n')}

Ctrl-C stops everything.`);
  } catch (e) {
    console.error(`[loanflow] start failed: ${e instanceof Error ? e.message : String(e)}`);
    logger.debug({ err: e }, 'start failed');
    await shutdown('error', 1);
  }
}

main().catch((e) => {
  if (e instanceof ConfigError) console.error(`[loanflow] ${e.message}`);
  else console.error('[loanflow]', e);
  process.exit(1);
});
