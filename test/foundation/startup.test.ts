/**
 * Starting the services from any folder, as root or not, and failing fast: a service that cannot
 * start says so in one line naming it, and nothing waits out a timeout of mocha's.
 * These tests start their own servers; they do not use the shared test environment.
 */
import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../config';
import { packagedBinaries, startEmbeddedPostgres } from '../../db/embedded';
import { isRoot, postgresUser, stagePostgresBinaries } from '../../db/run-as-postgres';
import { ServiceStartError, startServiceProcess } from '../../scripts/lib/service-process';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Another listener on a port, as a second `npm start` or any other program would hold it. */
async function holdPort(): Promise<{ port: number; release(): Promise<unknown> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const release = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => srv.close(resolve));
  };
  return { port: (srv.address() as net.AddressInfo).port, release };
}

/** The start must reject, with a ServiceStartError of one line. */
async function failure(start: Promise<unknown>): Promise<ServiceStartError> {
  const e = await start.then(
    () => {
      throw new Error('it started, but should not have');
    },
    (err: unknown) => err,
  );
  expect(e).to.be.instanceOf(ServiceStartError);
  const message = (e as ServiceStartError).message;
  expect(message, 'one line').not.to.match(/\n/);
  return e as ServiceStartError;
}

/** Whether everyone may search every folder from / down to `dir`. */
function searchableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (!(fs.statSync(d).mode & 0o001)) return false;
    if (d === path.dirname(d)) return true;
  }
}

/** A temp folder of our own that the server's user can reach (os.tmpdir() may be private). */
function sharedTmp(prefix: string): string {
  const parent = [os.tmpdir(), '/var/tmp'].find(searchableByOthers) ?? os.tmpdir();
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function scalar(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(sql);
    return r.rows[0] ? Object.values(r.rows[0])[0] : undefined;
  } finally {
    await client.end();
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('starting the services', () => {
  describe('embedded PostgreSQL', () => {
    it('starts, and starts again on the same data, when a folder above its data is private (0700, as mktemp -d makes it)', async () => {
      const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-private-'));
      const configured = path.join(privateDir, 'clone', '.data', 'postgres');
      let placed: string | undefined;
      try {
        expect(fs.statSync(privateDir).mode & 0o777).to.equal(0o700);
        const port = await freePort();
        const first = await startEmbeddedPostgres({ dataDir: configured, port, database: 'kept', persistent: true });
        placed = first.dataDir;
        try {
          await scalar(first.url, 'create table notes (v text)');
          await scalar(first.url, `insert into notes values ('still here')`);
        } finally {
          await first.stop();
        }
        const second = await startEmbeddedPostgres({ dataDir: configured, port, database: 'kept', persistent: true });
        try {
          expect(second.dataDir).to.equal(first.dataDir);
          expect(await scalar(second.url, 'select v from notes')).to.equal('still here');
        } finally {
          await second.stop();
        }
        expect(fs.statSync(privateDir).mode & 0o777, 'the private folder is left as it was').to.equal(0o700);
        if (isRoot()) {
          // The server runs as `postgres`, which cannot get into the private folder: the cluster
          // lives where it can, the configured path links there, and the reason names the folder.
          expect(first.movedBecause).to.contain(`postgres (uid ${postgresUser().uid}) cannot enter ${privateDir} (mode 0700`);
          expect(searchableByOthers(path.dirname(first.dataDir))).to.equal(true);
          expect(fs.readlinkSync(configured)).to.equal(first.dataDir);
        } else {
          expect(first.dataDir).to.equal(configured);
          expect(first.movedBecause).to.equal(undefined);
        }
      } finally {
        if (placed && !placed.startsWith(privateDir)) fs.rmSync(placed, { recursive: true, force: true });
        fs.rmSync(privateDir, { recursive: true, force: true });
      }
    });

    it('starts a throw-away cluster under a private folder (as the tests run theirs) and deletes it on stop', async () => {
      const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-private-'));
      try {
        const server = await startEmbeddedPostgres({ dataDir: path.join(privateDir, 'pg'), port: await freePort(), database: 'scratch', persistent: false });
        try {
          expect(await scalar(server.url, 'select current_database()')).to.equal('scratch');
        } finally {
          await server.stop();
        }
        expect(fs.existsSync(server.dataDir)).to.equal(false);
      } finally {
        fs.rmSync(privateDir, { recursive: true, force: true });
      }
    });

    it('stages its binaries into a folder that everyone can reach; initdb runs from there as the server’s user; a complete copy is reused, a damaged one made again', async () => {
      const base = sharedTmp('loanflow-stage-'); // standing in for /var/lib/loanflow
      try {
        const { nativeDir, label } = await packagedBinaries();
        const staged = stagePostgresBinaries(nativeDir, label, base);
        expect(searchableByOthers(staged)).to.equal(true);
        expect(searchableByOthers(path.join(staged, 'lib'))).to.equal(true);
        expect(searchableByOthers(path.join(staged, 'share'))).to.equal(true);

        const runAs = isRoot() ? postgresUser() : undefined;
        const data = fs.mkdtempSync(path.join(base, 'data-'));
        if (runAs) fs.chownSync(data, runAs.uid, runAs.gid);
        const initdb = spawnSync(path.join(staged, 'bin', 'initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '--locale=C', '--encoding=UTF8'], {
          encoding: 'utf8',
          env: { ...process.env, LC_ALL: 'C' },
          timeout: 60_000,
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        });
        expect(initdb.status, initdb.stderr).to.equal(0);
        expect(fs.statSync(path.join(data, 'PG_VERSION')).uid).to.equal(runAs?.uid ?? process.getuid!());

        const stamp = path.join(staged, '.loanflow-staged');
        const stampInode = fs.statSync(stamp).ino;
        expect(stagePostgresBinaries(nativeDir, label, base), 'reused').to.equal(staged);
        expect(fs.statSync(stamp).ino, 'not copied again').to.equal(stampInode);

        fs.rmSync(path.join(staged, 'share', 'postgresql', 'postgres.bki'));
        expect(stagePostgresBinaries(nativeDir, label, base)).to.equal(staged);
        expect(fs.existsSync(path.join(staged, 'share', 'postgresql', 'postgres.bki')), 'made again').to.equal(true);
        expect(fs.readdirSync(base).filter((n) => n.startsWith('.staging')), 'no half copies left').to.deep.equal([]);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    });

    it('on a port another listener holds, rejects with one line naming PostgreSQL, the port and the cause, and leaves no data behind', async () => {
      const holder = await holdPort();
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-taken-'));
      try {
        const e = await failure(startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: holder.port, database: 'x', persistent: false }));
        expect(e.message).to.match(
          new RegExp(`^PostgreSQL \\(on 127\\.0\\.0\\.1:${holder.port}, data in (.+)\\) exited \\(code 1\\) before it was ready: .*could not bind IPv4 address "127\\.0\\.0\\.1": Address already in use`),
        );
        const dataDir = /data in (.+?)\) exited/.exec(e.message)![1]!;
        expect(fs.existsSync(dataDir)).to.equal(false);
      } finally {
        await holder.release();
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it('with a file where its data folder should be, rejects with one line naming it', async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-file-'));
      try {
        const file = path.join(tmp, 'postgres');
        fs.writeFileSync(file, 'not a cluster');
        const e = await failure(startEmbeddedPostgres({ dataDir: file, port: await freePort(), database: 'x', persistent: true }));
        expect(e.message).to.equal(`PostgreSQL: its data folder ${file} exists and is not a folder`);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  });

  describe('Temporal and any server process', () => {
    it('the dev server, with its CLI missing, rejects with one line naming it and the remedy', async () => {
      const missing = path.join(os.tmpdir(), `no-such-temporal-${process.pid}`);
      const e = await failure(startTemporalDevServer({ cli: missing, port: await freePort(), namespace: 'default' }));
      expect(e.message).to.equal(`Temporal dev server: the Temporal CLI is missing at ${missing}: run \`npm run tools\` (npm start and npm test run it first)`);
    });

    it('the dev server, on a port another listener holds, rejects with its own last words', async () => {
      const holder = await holdPort();
      try {
        const e = await failure(startTemporalDevServer({ port: holder.port, namespace: 'default' }));
        expect(e.message).to.match(new RegExp(`^Temporal dev server exited \\(code 1\\) before it was ready: .*${holder.port}.*address already in use`));
      } finally {
        await holder.release();
      }
    });

    it('a server that never answers is killed and rejected naming its bound and its last words', async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-silent-'));
      try {
        const pidFile = path.join(tmp, 'pid');
        const e = await failure(
          startServiceProcess({
            service: 'A silent server',
            command: '/bin/sh',
            args: ['-c', `echo $$ > ${pidFile}; echo warming up; exec sleep 600`],
            ready: () => false,
            readyMeans: 'answer on 127.0.0.1:1',
            timeoutMs: 1000,
          }),
        );
        expect(e.message).to.equal('A silent server did not answer on 127.0.0.1:1 within 1 s: warming up');
        const pid = Number(fs.readFileSync(pidFile, 'utf8'));
        expect(() => process.kill(pid, 0), 'the process is gone').to.throw(/ESRCH/);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  });

  describe('the test environment', () => {
    it('when a server cannot start (no Java for the time-skipping server), fails that file and every later one at once with the same line', async () => {
      // PATH with the few commands start-up needs, and no java.
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-nojava-'));
      try {
        for (const tool of ['id', 'getent', 'useradd', 'dirname']) {
          const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
          if (found) fs.symlinkSync(found, path.join(bin, tool));
        }
        const mocha = path.join(projectRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
        const r = await run(process.execPath, [mocha, 'test/fixtures/needs-java.fixture.ts'], { ...process.env, PATH: bin });
        const out = r.stdout + r.stderr;
        const line = /Temporal time-skipping test server exited \(code 127\) before it was ready: [^\n]*java: not found/g;
        expect(out.match(line), out).to.have.length(2);
        expect(out).to.match(/a later file\s+"before all" hook/);
        expect(out).to.contain('0 passing');
        expect(out).not.to.contain('ran although');
        expect(r.code).to.equal(2);
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    });
  });

  describe('npm start', () => {
    it('when a later service fails, stops what had started and ends with one line naming the cause, exit code 1', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-start-'));
      // A folder where the Temporal dev server wants its SQLite file: it cannot open it, and exits.
      fs.mkdirSync(path.join(dataDir, 'temporal.sqlite'));
      const [pgPort, temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PG_PORT: `${pgPort}`, TEMPORAL_PORT: `${temporalPort}`, TEMPORAL_UI_PORT: `${uiPort}`, PORT: `${apiPort}`, LOG_LEVEL: 'warn' };
      for (const external of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET']) delete env[external];
      const cluster = path.join(dataDir, 'postgres');
      try {
        const r = await run(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['scripts/start.ts'], env);
        expect(r.stdout).to.contain(`[loanflow] embedded PostgreSQL on port ${pgPort}`);
        expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.match(/^\[loanflow\] start failed: Temporal dev server exited \(code 1\) before it was ready: .*unable to open database file/);
        expect(r.code).to.equal(1);
        expect(await connectOutcome(pgPort), 'PostgreSQL was stopped').to.equal('ECONNREFUSED');
      } finally {
        if (fs.lstatSync(cluster, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(fs.realpathSync(cluster), { recursive: true, force: true });
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
