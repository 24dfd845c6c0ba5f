/** The worker alone (production): connects to DATABASE_URL and TEMPORAL_ADDRESS, polls TASK_QUEUE. */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, ConfigError, workerCacheSize, workflowHeapMb } from '../config';
import { createDb } from '../db/knex';
import { logRole } from './lib/databases';
import { createLoanflowWorker } from './lib/worker';
import { ensureWorkflowBundle } from './lib/workflow-bundle';
import { ensureSchedules } from './lib/schedules';
import { keepHealthFile } from './lib/health-file';
import { connectTemporalClient } from '../api/temporal';

async function main() {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError('The worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything locally).');
  }
  const db = createDb(config.DATABASE_URL);
  await logRole(db, logger);
  // Compiled (the image), the bundle the Dockerfile built sits beside the code and is taken as it
  // is; from source it is rebuilt only if the sources differ (scripts/lib/workflow-bundle.ts).
  const prebuilt = path.join(__dirname, '../workflows/bundle.js');
  const bundle = __filename.endsWith('.js') && fs.existsSync(prebuilt) ? { codePath: prebuilt } : (await ensureWorkflowBundle((m) => logger.info(m))).bundle;
  const { worker, connection } = await createLoanflowWorker({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    db,
    config,
    workflowBundle: bundle,
  });
  const client = await connectTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  await ensureSchedules(client, config.TASK_QUEUE);
  await client.connection.close();
  const stopHealth = config.WORKER_HEALTH_FILE ? keepHealthFile(config.WORKER_HEALTH_FILE, worker, connection, db) : () => {};
  logger.info(
    { taskQueue: config.TASK_QUEUE, maxCachedWorkflows: workerCacheSize(config), memoryMb: config.WORKER_MEMORY_MB, workflowHeapMb: workflowHeapMb(config) },
    'worker started',
  );
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM by default.
  await worker.run().finally(stopHealth);
  await connection.close();
  await db.destroy();
  logger.info('worker stopped');
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
