import { expect } from 'chai';
import fc from 'fast-check';
import { testEnv, type TestEnv } from '../support/env';
import { newIdNumber } from '../support/api';
import { startPlainApi, type Api } from './helpers';
import { clientRequestIdOf, requestIdFor, CLIENT_REQUEST_ID_MAX } from '../../api/request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  describe('rules', () => {
    it('adopt a caller’s id only when it is a UUID; anything else gets a fresh UUID', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.uuid().map((u) => u.toUpperCase()), fc.constant(undefined), fc.array(fc.uuid())), (given) => {
          const id = requestIdFor(given);
          expect(id).to.match(UUID);
          if (typeof given === 'string' && UUID.test(given.toLowerCase())) expect(id).to.equal(given.toLowerCase());
        }),
      );
      expect(requestIdFor('req-1')).to.not.equal('req-1');
    });

    it('keep a caller’s own id printable and bounded', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (given) => {
          const kept = clientRequestIdOf(given);
          if (kept === null) return;
          expect(kept).to.match(/^[\x20-\x7e]+$/);
          expect(kept.length).to.be.at.most(CLIENT_REQUEST_ID_MAX);
          expect(kept).to.equal(kept.trim());
        }),
      );
      expect(clientRequestIdOf('req\u0000-cg\n-1')).to.equal('req-cg-1');
      expect(clientRequestIdOf('\u0007\u0000')).to.equal(null);
      expect(clientRequestIdOf(['a', 'b'])).to.equal(null);
    });
  });

  describe('over HTTP', () => {
    let env: TestEnv, api: Api;
    before(async () => {
      env = await testEnv();
      api = await startPlainApi(env);
    });
    after(async () => api?.close());

    const register = (requestId: string) =>
      api.call('POST', '/v1/auth/register', {
        headers: { 'X-Request-Id': requestId },
        body: { username: `rid-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`, password: 'password-1', idNumber: newIdNumber(), name: 'Rid Test', phone: '13900000002' },
      });

    it('write the API’s own id as the audit row’s request id, and the caller’s text apart', async () => {
      const planted = `forged\t\u00e9 ${'x'.repeat(300)}`;
      const r = await register(planted);
      expect(r.status, JSON.stringify(r.body)).to.be.oneOf([201, 202]);
      const id = r.headers.get('x-request-id')!;
      expect(id).to.match(UUID);
      const row = await env.db('audit_log').where({ request_id: id }).first();
      expect(row, 'an audit row carries the request id the caller was given').to.not.equal(undefined);
      expect(row.client_request_id).to.equal(`forged ${'x'.repeat(300)}`.slice(0, CLIENT_REQUEST_ID_MAX));
      expect(row.request_id).to.not.contain('forged');

      const uuid = '6f1d2c3b-4a59-4e8f-9c0d-1e2f3a4b5c6d';
      const r2 = await register(uuid);
      expect(r2.headers.get('x-request-id')).to.equal(uuid);
      expect((await env.db('audit_log').where({ request_id: uuid }).first()).client_request_id).to.equal(uuid);
    });
  });
});
