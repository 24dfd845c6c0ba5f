import { expect } from 'chai';
import { testEnv, type AppDatabase } from '../support/env';
import { startPlainApi, type Api } from '../auth/helpers';

/**
 * docs/operations.md puts TLS in front of the API: a reverse proxy, through which every client
 * arrives from the proxy's address. Sign-in limits count per username *and address* so that
 * "guesses from elsewhere cannot lock a user out of their own address" (docs/security.md) — but
 * with one address for everyone, an attacker's few wrong passwords for a user lock that user out,
 * and 100 of them lock every user out for 15 minutes. The operator must be able to say which
 * proxy to trust for the client's address (X-Forwarded-For), as Express's `trust proxy` does.
 */
describe('attack: sign-in behind the reverse proxy the operations guide asks for', function () {
  let d: AppDatabase;
  let api: Api;
  const viaProxy = (client: string, username: string, password: string) =>
    api.call('POST', '/v1/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': client } });

  before(async function () {
    this.timeout(120_000);
    const env = await testEnv();
    d = await env.newDatabase('attack_sign_in_proxy', { seed: true });
    // The proxy runs on the API's own host (loopback), as a TLS terminator usually does.
    api = await startPlainApi(env, { db: d.db, deps: { trustProxy: 'loopback' } });
  });
  after(async () => {
    await api?.close();
    await d?.db.destroy();
  });

  it("an attacker's wrong passwords from one client do not lock the user out at their own", async () => {
    const attacker = '203.0.113.9';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await viaProxy(attacker, 'applicant', `guess-${i}`)).status);
    expect(statuses.slice(-1)[0], 'the attacker is slowed down').to.equal(429);
    const owner = await viaProxy('198.51.100.7', 'applicant', 'demo');
    expect(owner.status, JSON.stringify(owner.body)).to.equal(200);
  });
});
