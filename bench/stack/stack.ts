/**
 * What bench:workflow and bench:api-post run on, all on this machine and started afresh: an
 * embedded PostgreSQL (migrated, the application's role, the demo data), the Temporal dev server
 * with its SQLite file (as `npm start` runs it), and the server process (server.ts: worker, API
 * and the baselines). Everything stops with `stop()`.
 *
 * BENCH_PROF=<dir> writes a CPU profile of the server process there when it stops (node's
 * --cpu-prof; open it in Chrome's DevTools): where the worker and the API spend their time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import { startEmbeddedPostgres } from '../../db/embedded';
import { createDb, migrateLatest } from '../../db/knex';
import { ensureAppRole, urlAs } from '../../db/app-role';
import { connectTemporalClient } from '../../api/temporal';
import { seedDemoData } from '../../scripts/lib/demo-seed';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { startServiceProcess } from '../../scripts/lib/service-process';
import { READY } from './ready';
import getPort from 'get-port';

export interface Stack {
  /** As the application (loanflow_app). */
  db: Knex;
  /** As the schema's owner: the benchmarks seed their applicants with it. */
  owner: Knex;
  temporal: Client;
  taskQueue: string;
  jwtSecret: string;
  /** The API, and bench:api-post's baseline. */
  apiUrl: string;
  baselineUrl: string;
  stop(): Promise<void>;
}

export async function startStack(say: (m: string) => void = console.log): Promise<Stack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-bench-'));
  const stops: Array<() => Promise<unknown>> = [async () => fs.rmSync(tmp, { recursive: true, force: true })];
  const stop = async () => {
    while (stops.length) await stops.pop()!().catch(() => undefined);
  };
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await getPort(), database: 'loanflow_bench', persistent: false });
    stops.push(() => pg.stop());
    const owner = createDb(pg.url, { max: 4 });
    stops.push(() => owner.destroy());
    await migrateLatest(owner);
    const role = { name: 'loanflow_app', password: randomBytes(12).toString('hex') };
    await ensureAppRole(owner, role);
    await seedDemoData(owner);
    const appUrl = urlAs(pg.url, role);
    const db = createDb(appUrl);
    stops.push(() => db.destroy());
    say('PostgreSQL: migrated, demo data seeded');

    const dev = await startTemporalDevServer({ port: await getPort(), namespace: 'default', dbFile: path.join(tmp, 'temporal.sqlite') });
    stops.push(() => dev.stop());
    say(`Temporal dev server on ${dev.address} (SQLite file, as npm start runs it)`);

    const taskQueue = 'loanflow-bench';
    const jwtSecret = randomBytes(32).toString('hex');
    let urls: { api: string; baseline: string } | undefined;
    const server = await startServiceProcess({
      service: 'bench server (worker + API)',
      command: process.execPath,
      args: [
        ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []),
        '--import', 'tsx', path.join(__dirname, 'server.ts'),
      ],
      env: { ...process.env, BENCH_DATABASE_URL: appUrl, BENCH_TEMPORAL_ADDRESS: dev.address, BENCH_TASK_QUEUE: taskQueue, BENCH_JWT_SECRET: jwtSecret },
      ready: (out) => {
        const line = out.split('\n').find((l) => l.startsWith(READY));
        if (line) urls = JSON.parse(line.slice(READY.length));
        return urls !== undefined;
      },
      readyMeans: 'print that it is ready',
      timeoutMs: 180_000,
    });
    stops.push(() => server.stop());
    const temporal = await connectTemporalClient(dev.address, 'default');
    stops.push(() => temporal.connection.close());
    say(`worker and API up (${urls!.api}); baseline at ${urls!.baseline}`);
    return { db, owner, temporal, taskQueue, jwtSecret, apiUrl: urls!.api, baselineUrl: urls!.baseline, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
