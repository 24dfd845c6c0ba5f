import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import path from 'node:path';

// Dates stay 'YYYY-MM-DD' strings and NUMERIC stays a string (pg's default), so neither
// a timezone shift nor a float can creep into a business date or an amount.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// COUNT(*) and BIGINT ids fit easily in a double; they are never money.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const migrationsDir = path.join(__dirname, 'migrations');

export const migrationConfig: Knex.MigratorConfig = {
  directory: migrationsDir,
  loadExtensions: ['.ts', '.js'],
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

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}
