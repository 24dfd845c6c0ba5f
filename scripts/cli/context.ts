import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../../config';
import { createDb, pingDb } from '../../db/knex';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../db/embedded';
import type { AuditActor } from '../../db/repositories/audit';
import { businessDateOf } from '../../domain/business-day';

/** What every command gets: the database and who acts. */
export interface CliContext {
  db: Knex;
  today: string;
  /** The user a command acts as (`--as`), checked to exist and be active; audit rows name them. */
  actor(username: string | undefined): Promise<AuditActor>;
  close(): Promise<void>;
}

export class CliError extends Error {}

/**
 * The database of DATABASE_URL, or else the embedded one of `npm start`: the running server when
 * it is up, otherwise the CLI starts the same cluster (same data folder) for the length of the
 * command. Either way the CLI goes through the same rule functions as the API.
 */
export async function openContext(): Promise<CliContext> {
  const config = loadConfig();
  let embedded: EmbeddedPg | undefined;
  let url = config.DATABASE_URL ?? `postgres://postgres:loanflow@127.0.0.1:${config.PG_PORT}/loanflow`;
  let db = createDb(url, { max: 4 });
  try {
    await pingDb(db);
  } catch (e) {
    if (config.DATABASE_URL) throw new CliError(`cannot reach DATABASE_URL: ${(e as Error).message}`);
    await db.destroy();
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.PG_PORT, database: 'loanflow', persistent: true });
    url = embedded.url;
    db = createDb(url, { max: 4 });
  }
  return {
    db,
    today: businessDateOf(new Date()),
    async actor(username) {
      if (!username) throw new CliError('say who acts: --as <username> (an active user; the audit trail names them)');
      const u = await db('users').where({ username }).first();
      if (!u || !u.active) throw new CliError(`no active user ${JSON.stringify(username)}`);
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
