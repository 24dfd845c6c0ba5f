import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../../config';
import { createDb, pingDb } from '../../db/knex';
import { databaseUrls, migrateAsOwner } from '../lib/databases';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../db/embedded';
import type { AuditActor } from '../../db/repositories/audit';
import { businessDateOf } from '../../domain/business-day';
import { DomainError } from '../../domain/errors';
import { verifyPasswordOrDummy } from '../../api/auth/passwords';
import { CliError } from './errors';
import { actingPassword } from './password';

/** What every command gets: the database and who acts. */
export interface CliContext {
  db: Knex;
  /** The schema's owner's URL (what migrates): for the demo seed only. */
  ownerUrl: string;
  today: string;
  /**
   * The user a command acts as (`--as`): an active user whose password the caller gives
   * (scripts/cli/password.ts); audit rows name them.
   */
  actor(username: string | undefined): Promise<AuditActor>;
  close(): Promise<void>;
}

export { CliError };

/** How a command runs its action: with a context opened for it and closed after (scripts/cli.ts). */
export type CliRun = (fn: (ctx: CliContext) => Promise<void>, opts?: { migrate?: boolean }) => Promise<void>;

/**
 * The database of DATABASE_URL, or else the embedded one of `npm start`: the running server when
 * it is up, otherwise the CLI starts the same cluster (same data folder) for the length of the
 * command. Either way the CLI connects as the application's role (scripts/lib/databases.ts) and
 * goes through the same rule functions as the API. `migrate` (demo seed) first migrates as the
 * schema's owner, which also creates that role.
 */
export async function openContext(opts: { migrate?: boolean } = {}): Promise<CliContext> {
  const config = loadConfig();
  let embedded: EmbeddedPg | undefined;
  let urls = databaseUrls(config);
  if (!config.DATABASE_URL) {
    const owner = createDb(urls.owner, { max: 1, quietConnectErrors: true });
    const up = await pingDb(owner).then(() => true, () => false);
    await owner.destroy();
    if (!up) {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.PG_PORT, database: 'loanflow', persistent: true });
      urls = databaseUrls(config, embedded.url);
    }
  }
  const db = createDb(urls.app, { max: 4, quietConnectErrors: true });
  try {
    if (opts.migrate) {
      const applied = await migrateAsOwner(urls);
      if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
    }
    await pingDb(db);
  } catch (e) {
    await db.destroy();
    await embedded?.stop();
    const code = (e as { code?: string }).code;
    if (code === '28P01' || code === '28000') {
      throw new CliError(`cannot connect as the application's role: ${(e as Error).message} (run \`npm start\` or \`loanflow demo seed\` once: migrating creates it)`);
    }
    throw new CliError(`cannot reach ${config.DATABASE_URL ? 'DATABASE_URL' : 'the embedded database'}: ${(e as Error).message}`);
  }
  return {
    db,
    ownerUrl: urls.owner,
    today: businessDateOf(new Date()),
    async actor(username) {
      if (!username) throw new CliError('say who acts: --as <username> (an active user; the audit trail names them)');
      const password = await actingPassword(username);
      const u = await db('users').where({ username }).first();
      // Argon2 work whether or not the user exists, and one answer for every failure (as sign-in).
      const ok = await verifyPasswordOrDummy(u?.password_hash, password);
      if (!ok || !u || !u.active) throw new DomainError('UNAUTHENTICATED', `--as ${username}: wrong password, or no active user of that name`);
      return { userId: u.id, username: u.username, role: u.role, orgId: u.org_id };
    },
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

/** A bank by id or exact name. */
export async function findBank(db: Knex, bank: string): Promise<string> {
  const q = db('organisations').where({ type: 'bank' });
  const row = /^[0-9a-f-]{36}$/i.test(bank) ? await q.andWhere({ id: bank }).first('id') : await q.andWhere({ name: bank }).first('id');
  if (!row) {
    const names = (await db('organisations').where({ type: 'bank' }).orderBy('name').pluck('name')).join(', ');
    throw new CliError(`no bank ${JSON.stringify(bank)} (banks: ${names})`);
  }
  return row.id;
}
