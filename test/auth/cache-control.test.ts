import { expect } from 'chai';
import { testEnv, type TestEnv } from '../support/env';
import { startPlainApi, type Api } from './helpers';

/**
 * Every answer under /v1 carries personal data or is about someone's session: none may stay in a
 * browser's or a proxy's cache after sign-out (docs/security.md, "The API").
 */
describe('no /v1 answer is cached', () => {
  let env: TestEnv, api: Api, token: string;

  before(async () => {
    env = await testEnv();
    api = await startPlainApi(env);
    const r = await api.call('POST', '/v1/auth/login', { body: { username: 'fin-officer', password: 'demo' } });
    expect(r.status).to.equal(200);
    token = r.body.token;
  });
  after(async () => api?.close());

  const noStore = (r: { status: number; headers: Headers }, what: string) =>
    expect(r.headers.get('cache-control'), `${what} (${r.status})`).to.equal('no-store');

  it('says no-store on JSON answers, downloads and sign-in', async () => {
    noStore(await api.call('GET', '/v1/me', { token }), 'the signed-in user');
    noStore(await api.call('GET', '/v1/reports/kpi?from=2026-01-01&to=2026-12-31&groupBy=bank', { token }), 'the report as JSON');
    for (const format of ['csv', 'xlsx']) {
      const file = await fetch(`${api.url}/v1/reports/kpi?from=2026-01-01&to=2026-12-31&groupBy=bank&format=${format}`, { headers: { authorization: `Bearer ${token}` } });
      expect(file.status).to.equal(200);
      expect(file.headers.get('content-disposition')).to.match(/^attachment/);
      noStore(file, `the report as ${format}`);
    }
    const forecast = await fetch(`${api.url}/v1/forecasts/subsidy?format=csv`, { headers: { authorization: `Bearer ${token}` } });
    noStore(forecast, 'the forecast as csv');
    noStore(await api.call('POST', '/v1/auth/login', { body: { username: 'fin-officer', password: 'demo' } }), 'a sign-in');
  });

  it('says no-store on errors, whichever part of the server answers them', async () => {
    const errors = [
      await api.call('GET', '/v1/me'), // 401: no token
      await api.call('GET', '/v1/reports/kpi?from=x&to=y&groupBy=bank', { token }), // 400: bad query
      await api.call('GET', '/v1/reports/kpi?from=x&to=y&groupBy=bank&format=csv', { token }), // 400 on the file route
      await api.call('GET', '/v1/no-such-route', { token }), // 404
      await api.call('POST', '/v1/auth/login', { body: { username: 'x' } }), // 400: missing field
      await api.call('POST', '/v1/auth/login', { headers: { 'content-type': 'application/json' }, body: undefined }), // no body
      await fetch(`${api.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' }), // 400: not JSON
    ];
    for (const r of errors) {
      expect(r.status, 'an error').to.be.within(400, 499);
      noStore(r, 'an error');
    }
  });
});
