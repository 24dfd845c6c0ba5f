import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../config';

export const temporalCli = path.join(projectRoot, '.tools', 'bin', 'temporal');

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` with its SQLite file in the data folder (kept across restarts)
 * and waits until its frontend answers health checks.
 */
export async function startTemporalDevServer(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  onLog?: (line: string) => void;
}): Promise<DevServer> {
  if (!fs.existsSync(temporalCli)) {
    throw new Error(`The Temporal CLI is missing at ${temporalCli}: run \`npm run tools\` (npm start runs it first).`);
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace,
    '--db-filename', path.join(opts.dataDir, 'temporal.sqlite'),
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    '--log-level', 'warn',
    '--log-format', 'json',
  ];
  // Its own process group, so a terminal's Ctrl-C reaches only the launcher, which stops the
  // worker before the server.
  const child = spawn(temporalCli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (buf: Buffer) => {
    const s = buf.toString();
    output = (output + s).slice(-4000);
    opts.onLog?.(s);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 250))]);
    if (early !== undefined) {
      throw new Error(`Temporal dev server exited (code ${String(early)}) before it was ready:\n${output}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        const res = await conn.healthService.check({});
        if (res.status === 1) break;
      } finally {
        await conn.close();
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not become ready at ${address} within 60 s:\n${output}`);
    }
  }

  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
