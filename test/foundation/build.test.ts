/**
 * The production image runs the compiled JavaScript (npm run build; Dockerfile): built here into a
 * folder of its own, the compiled migration, API and worker start with plain node against the test
 * database and Temporal, and answer what the container checks ask.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../config';
import { startServiceProcess, type ServiceProcess } from '../../scripts/lib/service-process';
import { startTemporalDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { freePort, testEnv, uniqueTaskQueue, type AppDatabase, type TestEnv } from '../support/env';

const run = promisify(execFile);

describe('the compiled build (npm run build), run with plain node', function () {
  this.timeout(240_000);
  const out = path.join(projectRoot, 'test-artifacts', `build-${process.pid}`);
  const started: ServiceProcess[] = [];
  let env: TestEnv;
  let database: AppDatabase;
  let temporal: DevServer;
  let temporalAddress: string;
  const envFor = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporalAddress, LOG_LEVEL: 'info', ...extra });

  before(async () => {
    env = await testEnv();
    // A Temporal of its own: the worker creates its schedules at start, and those of the shared
    // server belong to the other tests (test/ledger/sealing-schedule.test.ts).
    temporal = await startTemporalDevServer({ port: await freePort(), namespace: 'default' });
    temporalAddress = temporal.address;
    database = await env.newDatabase('build', { seed: true });
    await run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'build.ts')], { cwd: projectRoot, env: { ...process.env, BUILD_OUT_DIR: out } });
  });

  after(async () => {
    for (const s of started) await s.stop();
    await temporal?.stop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('holds no TypeScript to run, and the SQL it reads beside its modules', () => {
    expect(fs.existsSync(path.join(out, 'scripts', 'api.js'))).to.equal(true);
    const files = fs.readdirSync(out, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.ts')), 'TypeScript in the build').to.deep.equal([]);
    expect(fs.existsSync(path.join(out, 'db', 'migrations', '20261206000000_baseline.sql'))).to.equal(true);
    expect(fs.readdirSync(path.join(out, 'db', 'sql'))).to.include('ledger');
  });

  it('keeps its data outside the compiled code: DATA_DIR defaults to the project’s .data, not the build folder', async () => {
    const read = async (env: Record<string, string>) =>
      (await run(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(path.join(out, 'config'))}).loadConfig(process.env).DATA_DIR)`], { env: { PATH: process.env.PATH ?? '', ...env } })).stdout;
    const dataDir = await read({});
    expect(path.relative(out, dataDir).startsWith('..'), `${dataDir} lies inside the build ${out}`).to.equal(true);
    expect(dataDir).to.equal(path.join(projectRoot, '.data'));
    expect(await read({ DATA_DIR: '/var/lib/loanflow' })).to.equal('/var/lib/loanflow');
  });

  it('migrates a database that the sources migrated, finding it up to date', async () => {
    const r = await run(process.execPath, [path.join(out, 'scripts', 'migrate.js')], { env: envFor({ MIGRATION_DATABASE_URL: database.adminUrl }) });
    expect(r.stdout).to.contain('already up to date');
  });

  it('serves the API: GET /healthz answers 200 with PostgreSQL and Temporal up', async () => {
    const port = await freePort();
    const api = await startServiceProcess({
      service: 'compiled API',
      command: process.execPath,
      args: [path.join(out, 'scripts', 'api.js')],
      env: envFor({ PORT: String(port), JWT_SECRET: 'compiled-build-test-3f9a7c1e5b2d8f4a6c0e9b7d' }),
      readyMeans: 'answer GET /healthz',
      timeoutMs: 60_000,
      ready: async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
    });
    started.push(api);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).to.equal(200);
  });

  it("runs the worker (the workflows bundled from the compiled code), whose health file the container's check accepts", async () => {
    const healthFile = path.join(out, 'worker.health');
    const check = () => run(process.execPath, [path.join(out, 'scripts', 'worker-health.js')], { env: { WORKER_HEALTH_FILE: healthFile } }).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    expect(await check(), 'no file yet: unhealthy').to.equal(1);
    const worker = await startServiceProcess({
      service: 'compiled worker',
      command: process.execPath,
      args: [path.join(out, 'scripts', 'worker.js')],
      env: envFor({ TASK_QUEUE: uniqueTaskQueue('build'), WORKER_HEALTH_FILE: healthFile }),
      readyMeans: 'write its health file',
      timeoutMs: 120_000,
      ready: async () => fs.existsSync(healthFile),
    });
    started.push(worker);
    expect(await check()).to.equal(0);
    await worker.stop();
    expect(fs.existsSync(healthFile), 'a stopped worker leaves no health file').to.equal(false);
    expect(await check()).to.equal(1);
  });
});
