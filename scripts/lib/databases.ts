import type { Knex } from 'knex';
import type { Config } from '../../config';
import { appRoleOf, describeRole, ensureAppRole, urlAs, type AppRole } from '../../db/app-role';
import { createDb, migrateLatest } from '../../db/knex';
import { localSecret } from './secrets';

/**
 * Which PostgreSQL roles the processes use. The application (API, worker, CLI) connects with
 * DATABASE_URL; migrations run as the schema's owner, MIGRATION_DATABASE_URL, which then also
 * creates and grants the application's role named in DATABASE_URL (db/app-role.ts). Without
 * MIGRATION_DATABASE_URL, DATABASE_URL migrates too and its role is left as the DBA made it.
 *
 * The embedded cluster of `npm start` follows the same split: its superuser migrates, and the
 * processes connect as `loanflow_app`, whose password is generated once into the data folder.
 */
export const EMBEDDED_APP_ROLE = 'loanflow_app';

export interface DatabaseUrls {
  /** What the application connects as. */
  app: string;
  /** What migrates (the schema's owner). */
  owner: string;
  /** The owner grants the application's role after migrating. */
  managesAppRole: boolean;
}

/** The embedded cluster's superuser (the embedded server's own, see db/embedded.ts). */
export function embeddedOwnerUrl(port: number): string {
  return `postgres://postgres:loanflow@127.0.0.1:${port}/loanflow`;
}

export function embeddedAppRole(dataDir: string): AppRole {
  return { name: EMBEDDED_APP_ROLE, password: localSecret(dataDir, 'db-app-password') };
}

export function databaseUrls(config: Config, embeddedUrl?: string): DatabaseUrls {
  if (config.DATABASE_URL) {
    return { app: config.DATABASE_URL, owner: config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, managesAppRole: !!config.MIGRATION_DATABASE_URL };
  }
  const owner = embeddedUrl ?? embeddedOwnerUrl(config.PG_PORT);
  return { app: urlAs(owner, embeddedAppRole(config.DATA_DIR)), owner, managesAppRole: true };
}

/** Migrates as the owner, then (when it manages it) grants the application's role. */
export async function migrateAsOwner(urls: DatabaseUrls): Promise<string[]> {
  const owner = createDb(urls.owner, { max: 2 });
  try {
    const applied = await migrateLatest(owner);
    if (urls.managesAppRole) await ensureAppRole(owner, appRoleOf(urls.app));
    return applied;
  } finally {
    await owner.destroy();
  }
}

/** One line on how the application connects: a superuser or an owner could switch off the ledger's triggers. */
export async function roleSummary(app: Knex): Promise<{ text: string; privileged: boolean }> {
  const r = await describeRole(app);
  const advice = 'set MIGRATION_DATABASE_URL and connect the application as a role of its own';
  if (r.superuser) return { privileged: true, text: `as ${r.name}, a SUPERUSER: it could switch off the ledger's triggers (${advice})` };
  if (r.ownsTables > 0) return { privileged: true, text: `as ${r.name}, which owns ${r.ownsTables} table(s): it could switch off their triggers (${advice})` };
  return { privileged: false, text: `as ${r.name} (rows only: no table of its own, append-only tables without UPDATE/DELETE)` };
}

/** For the production entry points: says, in their log, which role they run as — loudly when it could bypass the rules. */
export async function logRole(app: Knex, logger: { info(o: object, m: string): void; warn(o: object, m: string): void }): Promise<void> {
  const r = await roleSummary(app);
  if (r.privileged) logger.warn({ database: r.text }, 'the application connects with a role that can bypass the database rules');
  else logger.info({ database: r.text }, 'database role');
}
