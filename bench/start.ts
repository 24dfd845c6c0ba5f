/**
 * `npm run bench:start`: wall time from the command to the printed URLs of `npm start` (the
 * launcher's "loanflow is up" block), against `node -e 0` and a bare tsx hello world, each run
 * --rounds times in turn. `npm start` runs twice a round: with the workflow bundle up to date
 * (the usual start) and with its stamp made stale (the first start after editing workflows/ or
 * domain/, which bundles again: scripts/lib/workflow-bundle.ts).
 *
 * Its own ports and data folder; a first, unmeasured start creates the cluster and seeds the demo
 * data, as a developer's first start does. Options: --rounds N (default 3).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import getPort from 'get-port';
import { WORKFLOW_BUNDLE_STAMP } from '../scripts/lib/workflow-bundle';
import { printResult } from './result';
import { runMain } from './cli';

const ROOT = path.join(__dirname, '..');
const ROUNDS = (() => {
  const i = process.argv.indexOf('--rounds');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 3;
  if (!Number.isInteger(n) || n < 1) throw new Error('--rounds must be a positive integer');
  return n;
})();

/** Runs a command in a process group of its own; resolves with the seconds until `done` says so (or it exits). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready?: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let seconds: number | undefined;
    const onData = (b: Buffer) => {
      out += b.toString();
      if (ready && seconds === undefined && ready.test(out)) {
        seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        // Ctrl-C to npm, which passes it on: the launcher stops the API, the worker and the servers.
        process.kill(child.pid!, 'SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!ready) return code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e9) : reject(new Error(`${cmd} exited ${code}`));
      if (seconds === undefined) return reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was up:\n${out.slice(-2000)}`));
      resolve(seconds);
    });
  });
}

/** Resolves once nothing listens on any of `ports` (npm exits on Ctrl-C before the launcher has stopped its servers). */
async function portsFreed(ports: number[], dataDir: string): Promise<void> {
  const listening = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  const started = Date.now();
  let warned = false;
  while ((await Promise.all(ports.map(listening))).some(Boolean)) {
    if (Date.now() - started > 60_000) throw new Error(`ports ${ports.join(', ')} still in use a minute after Ctrl-C`);
    if (!warned && Date.now() - started > 20_000) {
      // Seen here: after Ctrl-C the launcher ended but left its PostgreSQL or Temporal running.
      // Stop those of this run only: the processes whose command line names its data folder.
      const left = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dataDir);
        } catch {
          return false;
        }
      });
      console.log(`servers still running 20 s after Ctrl-C (pids ${left.join(', ')}): stopping them`);
      for (const p of left) process.kill(Number(p), 'SIGTERM');
      warned = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-bench-start-'));
  // The embedded PostgreSQL runs as `postgres` under root, and must reach its data (docs/operations.md).
  fs.chmodSync(dataDir, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(await getPort()),
    PG_PORT: String(await getPort()),
    TEMPORAL_PORT: String(await getPort()),
    TEMPORAL_UI_PORT: String(await getPort()),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const hello = path.join(dataDir, 'hello.ts');
  fs.writeFileSync(hello, "const greeting: string = 'hello';\nconsole.log(greeting);\n");
  const UP = /Ctrl-C stops everything\./;
  const ports = ['PORT', 'PG_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT'].map((k) => Number(env[k]));
  const start = async () => {
    const seconds = await timed('npm', ['start'], env, UP);
    await portsFreed(ports, dataDir);
    return seconds;
  };
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  try {
    const first = await start();
    console.log(`first start (initdb, migrations, demo data; not counted): ${first.toFixed(2)} s`);
    const t: Record<'node' | 'tsx' | 'start' | 'stale', number[]> = { node: [], tsx: [], start: [], stale: [] };
    for (let r = 1; r <= ROUNDS; r += 1) {
      t.node.push(await timed(process.execPath, ['-e', '0'], env));
      t.tsx.push(await timed(tsx, [hello], env));
      t.start.push(await start());
      fs.writeFileSync(WORKFLOW_BUNDLE_STAMP, 'stale\n');
      t.stale.push(await start());
      console.log(
        `round ${r}: node -e 0 ${t.node.at(-1)!.toFixed(2)} s, tsx hello ${t.tsx.at(-1)!.toFixed(2)} s, ` +
          `npm start ${t.start.at(-1)!.toFixed(2)} s, npm start after a workflow edit ${t.stale.at(-1)!.toFixed(2)} s`,
      );
    }
    const m = { node: median(t.node), tsx: median(t.tsx), start: median(t.start), stale: median(t.stale) };
    console.log(`\nmedians of ${ROUNDS}: node -e 0 ${m.node.toFixed(2)} s, tsx hello ${m.tsx.toFixed(2)} s, npm start ${m.start.toFixed(2)} s (${m.stale.toFixed(2)} s when it bundles)`);
    printResult([
      { name: 'start: npm start to the printed URLs', baseline: `${m.tsx.toFixed(2)} s tsx hello`, subject: `${m.start.toFixed(2)} s`, ratio: (m.start / m.tsx).toFixed(1), goal: '— (README quotes it)', met: true },
      { name: 'start: npm start after a workflow edit (bundles)', baseline: `${m.start.toFixed(2)} s npm start`, subject: `${m.stale.toFixed(2)} s`, ratio: (m.stale / m.start).toFixed(2), goal: '—', met: true },
    ]);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
