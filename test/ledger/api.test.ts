import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { closeSuite, openPrivateSuite, type ApiHarness } from '../support/api';
import { accountCode, allocateBudget, reserveBudget, sealLedger } from '../../db/ledger';
import { openFund } from '../support/funds';
import { createOrg, uniqueKey } from './helpers';

describe('ledger and fund API: roles, filters, errors (private demo database)', function () {
  this.timeout(60_000);
  let db: Knex;
  let h: ApiHarness;
  let fundId: string;
  let otherFundId: string;
  const tokens: Record<string, string> = {};

  before(async () => {
    // The demo users (fin-officer, auditor, bank-a...) in a database of our own, so verify sees
    // only entries this test made.
    ({ db, h } = await openPrivateSuite('ledger_api', { pool: 10, runWorker: false }));
    for (const u of ['fin-officer', 'fin-approver', 'auditor', 'bank-a', 'admin']) tokens[u] = await h.login(u);
    const bureau = (await db('users').where({ username: 'fin-officer' }).first()).org_id as string;
    const fund = await openFund(db, { bureauId: bureau, year: 2031 });
    fundId = fund.id;
    await allocateBudget(adminOf(db), { fundId, amount: '500000.00', postedOn: '2031-01-05', idempotencyKey: uniqueKey('a') });
    await reserveBudget(db, { fundId, amount: '1200.50', postedOn: '2031-04-08', idempotencyKey: uniqueKey('r') });
    const otherBureau = await createOrg(db, 'finance_bureau');
    otherFundId = (await openFund(db, { bureauId: otherBureau, year: 2031, name: 'Another bureau' })).id;
  });
  after(() => closeSuite({ h, db }));

  it('GET /v1/funds/:id shows budget, reserved, paid, available to finance and the auditor only', async () => {
    for (const who of ['fin-officer', 'fin-approver', 'auditor']) {
      const r = await h.call('GET', `/v1/funds/${fundId}`, { token: tokens[who] });
      expect(r.status, who).to.equal(200);
      expect(r.body).to.include({ id: fundId, year: 2031, budget: '500000.00', reserved: '1200.50', paid: '0.00', available: '498799.50' });
    }
    expect((await h.call('GET', `/v1/funds/${fundId}`, { token: tokens['bank-a'] })).status).to.equal(403);
    expect((await h.call('GET', `/v1/funds/${fundId}`, { token: tokens.admin })).status).to.equal(403);
    expect((await h.call('GET', `/v1/funds/${fundId}`)).status).to.equal(401);
    // Another bureau's fund is not visible to this bureau's staff, but is to the auditor.
    expect((await h.call('GET', `/v1/funds/${otherFundId}`, { token: tokens['fin-officer'] })).status).to.equal(404);
    expect((await h.call('GET', `/v1/funds/${otherFundId}`, { token: tokens.auditor })).status).to.equal(200);
    const bad = await h.call('GET', '/v1/funds/not-a-uuid', { token: tokens.auditor });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const list = await h.call('GET', '/v1/funds?year=2031', { token: tokens['fin-officer'] });
    expect(list.body.map((f: { id: string }) => f.id)).to.deep.equal([fundId]);
  });

  it('GET /v1/ledger/entries filters by account and dates, pages, and refuses bad input', async () => {
    const account = accountCode.fund(fundId, 'available');
    const all = await h.call('GET', `/v1/ledger/entries?account=${account}`, { token: tokens['fin-officer'] });
    expect(all.status).to.equal(200);
    expect(all.body.total).to.equal(2);
    expect(all.body.items[0].lines[0]).to.deep.equal({ lineNo: 1, account, side: 'debit', amount: '500000.00' });
    const april = await h.call('GET', `/v1/ledger/entries?account=${account}&from=2031-04-01&to=2031-04-30&page=1&pageSize=10`, { token: tokens.auditor });
    expect(april.body.items.map((e: { kind: string }) => e.kind)).to.deep.equal(['fund.reservation']);
    for (const q of ['from=2031-13-01', 'pageSize=0', 'pageSize=501', 'account=nope', 'from=2031-05-01&to=2031-04-01', 'color=red']) {
      const r = await h.call('GET', `/v1/ledger/entries?${q}`, { token: tokens.auditor });
      expect(r.status, q).to.equal(400);
      expect(r.body.error.code, q).to.equal('VALIDATION_FAILED');
    }
    expect((await h.call('GET', '/v1/ledger/entries', { token: tokens['bank-a'] })).status).to.equal(403);
  });

  it('GET /v1/ledger/accounts/:code/balance and /v1/ledger/trial-balance', async () => {
    const code = accountCode.fund(fundId, 'available');
    const now = await h.call('GET', `/v1/ledger/accounts/${code}/balance`, { token: tokens['fin-approver'] });
    expect(now.status).to.equal(200);
    expect(now.body).to.include({ account: code, balance: '498799.50', normalSide: 'debit', type: 'asset', asOf: null });
    const march = await h.call('GET', `/v1/ledger/accounts/${code}/balance?asOf=2031-03-31`, { token: tokens.auditor });
    expect(march.body).to.include({ balance: '500000.00', asOf: '2031-03-31' });
    expect((await h.call('GET', `/v1/ledger/accounts/${accountCode.fund(otherFundId, 'available')}/balance`, { token: tokens.auditor })).status).to.equal(404);
    const tb = await h.call('GET', '/v1/ledger/trial-balance?asOf=2031-12-31', { token: tokens['fin-officer'] });
    expect(tb.status).to.equal(200);
    expect(tb.body.balanced).to.equal(true);
    expect(tb.body.totalDebits).to.equal(tb.body.totalCredits);
    expect((await h.call('GET', '/v1/ledger/trial-balance?asOf=yesterday', { token: tokens.auditor })).status).to.equal(400);
  });

  it('GET /v1/ledger/verify is the auditor’s', async () => {
    await sealLedger(db);
    const r = await h.call('GET', '/v1/ledger/verify', { token: tokens.auditor });
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ ok: true, balanced: true, chainIntact: true, firstBadEntry: null, unsealed: 0 });
    expect(r.body.entries).to.be.greaterThanOrEqual(2);
    for (const who of ['fin-officer', 'fin-approver', 'bank-a']) {
      expect((await h.call('GET', '/v1/ledger/verify', { token: tokens[who] })).status, who).to.equal(403);
    }
  });

  it('is described in /openapi.json', async () => {
    const r = await h.call('GET', '/openapi.json');
    for (const p of ['/v1/ledger/entries', '/v1/ledger/verify', '/v1/ledger/trial-balance', '/v1/ledger/accounts/{code}/balance', '/v1/funds/{id}', '/v1/funds']) {
      expect(Object.keys(r.body.paths), p).to.include(p);
    }
  });
});
