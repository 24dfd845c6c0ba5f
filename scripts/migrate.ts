/**
 * Applies the migrations and the SQL files of db/sql (`npm run migrate`; `-- --rollback` undoes the last batch of migrations) as
 * MIGRATION_DATABASE_URL (the schema's owner) when set, then grants the role DATABASE_URL names
 * rows only; else as DATABASE_URL itself.
 */
import { loadConfig, ConfigError } from '../config';
import { createDb, migrationConfig, MigrationError } from '../db/knex';
import { SqlFileError } from '../db/sql-files';
import { databaseUrls, migrateAsOwner } from './lib/databases';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError('DATABASE_URL is required (npm start migrates its embedded database itself).');
  const urls = databaseUrls(config);
  if (process.argv.includes('--rollback')) {
    const db = createDb(urls.owner);
    try {
      const [, undone] = (await db.migrate.rollback(migrationConfig)) as [number, string[]];
      console.log(undone.length ? `rolled back: ${undone.join(', ')}` : 'nothing to roll back');
    } finally {
      await db.destroy();
    }
    return;
  }
  const applied = await migrateAsOwner(urls);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
  if (urls.managesAppRole) console.log(`the application's role (DATABASE_URL) may read and write rows, nothing else`);
}

main().catch((e) => {
  // Errors that say what to do are one line; anything else keeps its stack.
  console.error(e instanceof ConfigError || e instanceof MigrationError || e instanceof SqlFileError ? e.message : e);
  process.exit(1);
});
