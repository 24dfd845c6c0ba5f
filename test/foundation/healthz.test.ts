import { expect } from 'chai';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { testEnv, freePort, type TestEnv } from '../support/env';
import { listen } from '../../scripts/lib/api-server';
import { createDb } from '../../db/knex';
import type { ApiDeps } from '../../api/deps';

describe('GET /healthz', () => {
  let env: TestEnv;
  const base = (temporal: Client, db = env.db): ApiDeps => ({
    db,
    temporal,
    taskQueue: 'loanflow',
    logger: pino({ level: 'silent' }),
    jwtSecret: 'x'.repeat(32),
    tokenTtlSeconds: 3600,
  });
  before(async () => {
    env = await testEnv();
  });

  it('is 200 with both Postgres and Temporal reachable, and echoes a request id that is a UUID', async () => {
    const api = await listen(base(env.temporal.client), 0, '127.0.0.1');
    try {
      const probe = '0b7c3c52-5b7e-4d35-9a4e-0d1f2c3b4a59';
      const res = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': probe } });
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-request-id')).to.equal(probe);
      // Any other text is replaced by an id of the API's own.
      const other = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'probe-1' } });
      expect(other.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      const body = (await res.json()) as any;
      expect(body.status).to.equal('ok');
      expect(body.postgres.ok).to.equal(true);
      expect(body.temporal.ok).to.equal(true);
    } finally {
      await api.close();
    }
  });

  it('is 503 naming Postgres when the database is down', async () => {
    const deadDb = createDb(`postgres://postgres:x@127.0.0.1:${await freePort()}/nothing`);
    const api = await listen(base(env.temporal.client, deadDb), 0, '127.0.0.1');
    try {
      const res = await fetch(`${api.url}/healthz`);
      expect(res.status).to.equal(503);
      const body = (await res.json()) as any;
      expect(body.postgres.ok).to.equal(false);
      expect(body.postgres.error).to.be.a('string');
      expect(body.temporal.ok).to.equal(true);
    } finally {
      await api.close();
      await deadDb.destroy();
    }
  });

  it('is 503 naming Temporal when the server is down', async () => {
    // A lazy connection to a port nobody listens on: the probe must fail, not hang.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 });
    const api = await listen(base(new Client({ connection })), 0, '127.0.0.1');
    try {
      const res = await fetch(`${api.url}/healthz`);
      expect(res.status).to.equal(503);
      const body = (await res.json()) as any;
      expect(body.temporal.ok).to.equal(false);
      expect(body.postgres.ok).to.equal(true);
    } finally {
      await api.close();
      await connection.close().catch(() => undefined);
    }
  });
});
