import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import type { Knex } from 'knex';
import { startEmbeddedPostgres } from '../db/embedded';

/**
 * An embedded PostgreSQL of a benchmark's own, in a temporary folder on a free port, database
 * `bench`; `stop()` stops it and removes the folder.
 */
export async function scratchPostgres(name: string): Promise<{ url: string; stop(): Promise<void> }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `loanflow-bench-${name}-`));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await getPort(), database: 'bench', persistent: false });
  return {
    url: pg.url,
    async stop() {
      await pg.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `generate` in one transaction with the schema's triggers off (as the owner): generated rows
 * stand in for years of workflow steps at once, which the row guards (docs/security.md) rightly
 * refuse when they do not come step by step. Only for a benchmark's own scratch database.
 */
export function withoutRowGuards<T>(db: Knex, generate: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    return generate(trx);
  });
}
