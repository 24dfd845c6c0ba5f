import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError, workerCacheSize, workflowHeapMb } from '../../config';
import { appRoleOf } from '../../db/app-role';
import { databaseUrls } from '../../scripts/lib/databases';

describe('config', () => {
  it('has defaults for a local run', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.TASK_QUEUE).to.equal('loanflow');
    expect(c.TEMPORAL_NAMESPACE).to.equal('default');
    expect(c.DATABASE_URL).to.equal(undefined);
  });

  it('stops on bad values, naming each variable and its rule', () => {
    const bad = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', LOG_LEVEL: 'loud' });
    expect(bad).to.throw(ConfigError);
    try {
      bad();
    } catch (e) {
      const msg = (e as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'LOG_LEVEL']) expect(msg).to.contain(name);
      expect(msg).to.contain('postgres://');
    }
  });

  it('takes TRUST_PROXY as hops, Express range names or IP subnets; a host name stops it, naming the variable', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).TRUST_PROXY).to.equal('loopback, 10.0.0.0/8, fd00::/8');
    for (const bad of ['nginx', 'true', '10.0.0.0/33', '1,2']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).to.throw(ConfigError, /TRUST_PROXY/);
    }
  });

  it('bounds the worker: its workflow cache fits WORKER_MEMORY_MB, and a cache that cannot fit is refused', () => {
    // Without a bound the SDK sizes the cache from the heap limit (2,310 here), and at about 1 MiB
    // per cached loan the worker outgrew a gigabyte (docs/operations.md, "Worker memory").
    expect(workerCacheSize(loadConfig({}))).to.equal(780);
    expect(workerCacheSize(loadConfig({ WORKER_MEMORY_MB: '2048' }))).to.equal(2060);
    expect(workerCacheSize(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '100' }))).to.equal(100);
    // The workflow thread's heap is bounded to what its cache needs, so garbage cannot grow past the budget.
    expect(workflowHeapMb(loadConfig({}))).to.equal(656);
    expect(workflowHeapMb(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '100' }))).to.equal(112);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '5000' })).to.throw(ConfigError, /WORKER_MAX_CACHED_WORKFLOWS: at most 780 fit in WORKER_MEMORY_MB=1024/);
    expect(() => loadConfig({ WORKER_MEMORY_MB: '256' })).to.throw(ConfigError, /WORKER_MEMORY_MB/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1.5' })).to.throw(ConfigError, /WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).to.throw(ConfigError, /WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('takes the migrating owner apart from the application, and only with the application named too', () => {
    const app = 'postgres://loanflow_app:secret-pw@db:5432/loanflow';
    const owner = 'postgres://loanflow:owner-pw@db:5432/loanflow';
    const urls = databaseUrls(loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: owner }));
    expect(urls).to.deep.equal({ app, owner, managesAppRole: true });
    expect(databaseUrls(loadConfig({ DATABASE_URL: app }))).to.deep.equal({ app, owner: app, managesAppRole: false });
    expect(() => loadConfig({ MIGRATION_DATABASE_URL: owner })).to.throw(ConfigError, /MIGRATION_DATABASE_URL: needs DATABASE_URL too/);
  });

  it('connects a local run as loanflow_app, with a password kept in the data folder, and migrates as the embedded superuser', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-config-'));
    try {
      const urls = databaseUrls(loadConfig({ DATA_DIR: dataDir, PG_PORT: '6543' }));
      expect(urls.owner).to.equal('postgres://postgres:loanflow@127.0.0.1:6543/loanflow');
      expect(urls.managesAppRole).to.equal(true);
      const role = appRoleOf(urls.app);
      expect(role.name).to.equal('loanflow_app');
      expect(role.password).to.have.length.greaterThan(30);
      expect(fs.statSync(path.join(dataDir, 'db-app-password')).mode & 0o077).to.equal(0);
      expect(databaseUrls(loadConfig({ DATA_DIR: dataDir, PG_PORT: '6543' })).app, 'the same password on the next start').to.equal(urls.app);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
