import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import { applySqlFiles } from './sql-files';
import { seedChart } from './ledger/chart-seed';

// Dates stay 'YYYY-MM-DD' strings and NUMERIC stays a string (pg's default), so neither
// a timezone shift nor a float can creep into a business date or an amount.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// COUNT(*) and BIGINT ids fit easily in a double; they are never money.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const migrationsDir = path.join(__dirname, 'migrations');

/**
 * The migrations by the names they are recorded under, always `<name>.ts`: run from source (tsx)
 * the files are .ts, compiled (dist/, the production image) they are .js, and a database migrated
 * one way must read as up to date the other (knex would otherwise take the same migration for
 * another one).
 */
export function migrationNames(): string[] {
  return [...new Set(fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.js$/, '.ts')))].sort();
}

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => migrationNames(),
  getMigrationName: (name) => name,
  // Without its extension, require finds the .ts under tsx and the .js when compiled.
  getMigration: async (name) => require(path.join(migrationsDir, name.replace(/\.ts$/, ''))),
};

export const migrationConfig: Knex.MigratorConfig = {
  migrationSource,
  tableName: 'knex_migrations',
};

/**
 * `quietConnectErrors`: for a caller that probes a server and says itself what failed (the CLI),
 * knex's own "Acquire connection error" warning with its stack trace is left out.
 */
export function createDb(databaseUrl: string, pool: { min?: number; max?: number; quietConnectErrors?: boolean } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl, application_name: 'loanflow' },
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    migrations: migrationConfig,
    ...(pool.quietConnectErrors
      ? { log: { warn: (m: unknown) => void (String(m).startsWith('Acquire connection error') || console.warn(m)) } }
      : {}),
  });
}

/** The database cannot be migrated as it is; the message says what to do, in one line. */
export class MigrationError extends Error {}

/** The first migration of the history that the baseline replaced (docs/adr/0001-sql-as-sql.md). */
const PRE_BASELINE = '20261123000001_foundation.ts';

/** Refuses a database whose recorded migrations are not this tree's, before knex reads it. */
async function checkHistory(db: Knex): Promise<void> {
  const { rows } = await db.raw(`select to_regclass('public.knex_migrations') is not null as ok`);
  if (!rows[0].ok) return;
  const recorded: string[] = await db('knex_migrations').orderBy('id').pluck('name');
  if (recorded.includes(PRE_BASELINE)) {
    throw new MigrationError(
      'this database was made by the pre-baseline migrations: delete .data (npm start makes it again) or drop its schema (drop schema public cascade; create schema public), then migrate',
    );
  }
  const files = new Set(migrationNames());
  const unknown = recorded.filter((n) => !files.has(n));
  if (unknown.length) {
    throw new MigrationError(`this database records migrations this version does not have (${unknown.join(', ')}): run the version that made it, or start from an empty schema`);
  }
}

/**
 * Brings a database up to date, as its owner: the versioned migrations (db/migrations), then the
 * SQL files that changed (db/sql, see sql-files.ts), then the chart of accounts (ledger/chart.ts).
 * Returns what was applied: migration names, then `db/sql/...` paths.
 */
export async function migrateLatest(db: Knex): Promise<string[]> {
  await checkHistory(db);
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  const files = await applySqlFiles(db);
  await seedChart(db);
  return [...applied, ...files];
}

export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}
