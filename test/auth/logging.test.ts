import { expect } from 'chai';
import { testEnv, type TestEnv } from '../support/env';
import { newIdNumber } from '../support/api';
import { capturedLogger, startPlainApi } from './helpers';
import { requestLogger } from '../../api/request-log';

/** The access log must never hold a credential: an operator reading it could replay it. */
describe('request logs', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it('carry no bearer token, cookie or password, yet still log the request', async () => {
    const log = capturedLogger();
    const api = await startPlainApi(env, { logger: log.logger });
    try {
      const username = `log-${Date.now().toString(36)}`;
      const password = `Secret-${Math.random().toString(36).slice(2)}-pw`;
      const reg = await api.call('POST', '/v1/auth/register', {
        body: { username, password, idNumber: newIdNumber(), name: 'Log Test', phone: '13900000001' },
      });
      expect(reg.status, JSON.stringify(reg.body)).to.be.oneOf([201, 202]);
      const login = await api.call('POST', '/v1/auth/login', { body: { username, password } });
      expect(login.status).to.equal(200);
      const token = login.body.token as string;
      const cookie = `session=cookie-${Math.random().toString(36).slice(2)}`;
      const me = await api.call('GET', '/v1/me', { token, headers: { cookie } });
      expect(me.status).to.equal(200);
      // A refused login and a malformed one carry the password too.
      expect((await api.call('POST', '/v1/auth/login', { body: { username, password: `${password}-wrong` } })).status).to.equal(401);
      expect((await api.call('POST', '/v1/auth/login', { body: { username, password, extra: 1 } })).status).to.equal(400);

      const text = log.text();
      const meLine = log.lines().find((l) => l.req?.url === '/v1/me');
      expect(meLine, 'the request to /v1/me is logged').to.not.equal(undefined);
      expect(meLine.req.headers.authorization).to.equal('[redacted]');
      expect(meLine.req.headers.cookie).to.equal('[redacted]');
      for (const secret of [token, token.split('.')[2]!, cookie, password]) {
        expect(text.includes(secret), `log contains ${secret.slice(0, 12)}…`).to.equal(false);
      }
    } finally {
      await api.close();
    }
  });

  it('redact a password field in anything the request logger is given', async () => {
    const log = capturedLogger();
    const child = log.logger.child({}, {});
    // The same redaction as the access log, on a body logged by a handler.
    const mw = requestLogger(child);
    const req: any = { headers: {}, method: 'POST', url: '/x', socket: {} };
    const res: any = { setHeader() {}, on() {}, once() {}, removeListener() {}, getHeader() {}, getHeaders: () => ({}) };
    mw(req, res, () => undefined);
    req.log.info({ body: { password: 'p-in-body' }, user: { credentials: { password: 'p-nested' } } }, 'handler line');
    expect(log.text()).to.contain('handler line');
    expect(log.text()).to.not.contain('p-in-body');
    expect(log.text()).to.not.contain('p-nested');
  });
});
