import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../config';
import { ServiceStartError, startServiceProcess, type ServiceProcess } from './service-process';

export const temporalCli = path.join(projectRoot, '.tools', 'bin', 'temporal');

export interface DevServer {
  address: string;
  /** Undefined when started without its Web UI. */
  uiUrl?: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

/**
 * True when a Temporal frontend (the dev server, the Java test server) answers its gRPC health
 * check within a second; something else on the port that accepts and never answers is no hang.
 */
export async function answersHealthCheck(address: string): Promise<boolean> {
  const conn = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const res = await conn.withDeadline(Date.now() + 1000, () => conn.healthService.check({}));
    return res.status === 1; // SERVING
  } finally {
    await conn.close();
  }
}

/** A JSON log line as its message (and error), plain lines as they are. */
export function describeTemporalLine(line: string): string {
  const text = line.trim();
  if (!text.startsWith('{')) return text;
  try {
    const entry = JSON.parse(text) as { level?: string; msg?: string; error?: string };
    return [entry.level, entry.msg, entry.error].filter(Boolean).join(': ');
  } catch {
    return text;
  }
}

/**
 * Runs `temporal server start-dev` and waits until its frontend answers health checks: with its
 * SQLite file at `dbFile` (kept across restarts) or in memory, with its Web UI on `uiPort` or none.
 * Rejects with one line naming the cause when the CLI is missing, exits early or does not answer
 * within `timeoutMs`.
 */
export async function startTemporalDevServer(opts: {
  port: number;
  namespace: string;
  dbFile?: string;
  uiPort?: number;
  cli?: string;
  extraArgs?: string[];
  detached?: boolean;
  timeoutMs?: number;
  onLog?: (line: string) => void;
}): Promise<DevServer> {
  const cli = opts.cli ?? temporalCli;
  if (!fs.existsSync(cli)) {
    throw new ServiceStartError(`Temporal dev server: the Temporal CLI is missing at ${cli}: run \`npm run tools\` (npm start and npm test run it first)`);
  }
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const address = `127.0.0.1:${opts.port}`;
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    '--namespace', opts.namespace,
    ...(opts.dbFile
      ? ['--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL']
      : []),
    '--log-level', 'warn',
    '--log-format', 'json',
    ...(opts.extraArgs ?? []),
  ];
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const server = await startServiceProcess({
    service: 'Temporal dev server',
    command: cli,
    args,
    detached: opts.detached,
    ready: () => answersHealthCheck(address),
    readyMeans: `answer on ${address}`,
    timeoutMs,
    describeLine: describeTemporalLine,
    pickLines: (lines) => lines.slice(-1),
    onLog: opts.onLog,
  });
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: server,
    stop: () => server.stop(),
  };
}
