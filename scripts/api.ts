/** The API alone (production): serves HTTP on PORT against DATABASE_URL and TEMPORAL_ADDRESS. */
import pino from 'pino';
import { loadConfig, ConfigError } from '../config';
import { createDb } from '../db/knex';
import { logRole } from './lib/databases';
import { connectTemporalClient } from '../api/temporal';
import { listen } from './lib/api-server';

async function main() {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS || !config.JWT_SECRET) {
    throw new ConfigError('The API needs DATABASE_URL, TEMPORAL_ADDRESS and JWT_SECRET (npm start runs everything locally).');
  }
  const db = createDb(config.DATABASE_URL);
  await logRole(db, logger);
  const temporal = await connectTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const api = await listen(
    { db, temporal, taskQueue: config.TASK_QUEUE, logger, jwtSecret: config.JWT_SECRET, tokenTtlSeconds: config.TOKEN_TTL_SECONDS, trustProxy: config.TRUST_PROXY },
    config.PORT,
  );
  logger.info({ url: api.url }, 'API listening');
  const stop = async () => {
    await api.close();
    await temporal.connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
