/** Applies the knex migrations to DATABASE_URL (`npm run migrate`; `-- --rollback` undoes the last batch). */
import { loadConfig, ConfigError } from '../config';
import { createDb, migrateLatest, migrationConfig } from '../db/knex';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError('DATABASE_URL is required (npm start migrates its embedded database itself).');
  const db = createDb(config.DATABASE_URL);
  try {
    if (process.argv.includes('--rollback')) {
      const [, undone] = (await db.migrate.rollback(migrationConfig)) as [number, string[]];
      console.log(undone.length ? `rolled back: ${undone.join(', ')}` : 'nothing to roll back');
    } else {
      const applied = await migrateLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    }
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
