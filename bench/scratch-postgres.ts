import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
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
