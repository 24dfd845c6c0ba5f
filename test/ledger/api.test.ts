import { expect } from 'chai';
import { adminOf } from '../support/env';
import { usePrivateSuite } from '../support/api';
import { accountCode, allocateBudget, reserveBudget, sealLedger } from '../../db/ledger';
import { openFund } from '../support/funds';
import { createOrg, uniqueKey } from './helpers';

describe('ledger and fund API: roles, filters, errors (private demo database)', function () {
  this.timeout(60_000);
  // The demo users (fin-officer, auditor, bank-a...) in a database of our own, so verify sees
  // only entries this test made.
  const s = usePrivateSuite('ledger_api', { pool: 10, runWorker: false, logins: ['fin-officer', 'fin-approver', 'auditor', 'bank-a', 'admin'] });
  let fundId: string;
  let otherFundId: string;

  before(async () => {
    const bureau = (await s.db('users').where({ username: 'fin-officer' }).first()).org_id as string;
    const fund = await openFund(s.db, { bureauId: bureau, year: 2031 });
    fundId = fund.id;
    await allocateBudget(adminOf(s.db), { fundId, amount: '500000.00', postedOn: '2031-01-05', idempotencyKey: uniqueKey('a') });
    await reserveBudget(s.db, { fundId, amount: '1200.50', postedOn: '2031-04-08', idempotencyKey: uniqueKey('r') });
    const otherBureau = await createOrg(s.db, 'finance_bureau');
    otherFundId = (await openFund(s.db, { bureauId: otherBureau, year: 2031, name: 'Another bureau' })).id;
  });

  it('GET /v1/funds/:id shows budget, reserved, paid, available to finance and the auditor only', async () => {
    for (const who of ['fin-officer', 'fin-approver', 'auditor']) {
      const r = await s.h.call('GET', `/v1/funds/${fundId}`, { token: s.tokens[who] });
      expect(r.status, who).to.equal(200);
      expect(r.body).to.include({ id: fundId, year: 2031, budget: '500000.00', reserved: '1200.50', paid: '0.00', available: '498799.50' });
    }
    expect((await s.h.call('GET', `/v1/funds/${fundId}`, { token: s.tokens['bank-a'] })).status).to.equal(403);
    expect((await s.h.call('GET', `/v1/funds/${fundId}`, { token: s.tokens.admin })).status).to.equal(403);
    expect((await s.h.call('GET', `/v1/funds/${fundId}`)).status).to.equal(401);
    // Another bureau's fund is not visible to this bureau's staff, but is to the auditor.
    expect((await s.h.call('GET', `/v1/funds/${otherFundId}`, { token: s.tokens['fin-officer'] })).status).to.equal(404);
    expect((await s.h.call('GET', `/v1/funds/${otherFundId}`, { token: s.tokens.auditor })).status).to.equal(200);
    const bad = await s.h.call('GET', '/v1/funds/not-a-uuid', { token: s.tokens.auditor });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const list = await s.h.call('GET', '/v1/funds?year=2031', { token: s.tokens['fin-officer'] });
    expect(list.body.map((f: { id: string }) => f.id)).to.deep.equal([fundId]);
  });

  it('GET /v1/ledger/entries filters by account and dates, pages, and refuses bad input', async () => {
    const account = accountCode.fund(fundId, 'available');
    const all = await s.h.call('GET', `/v1/ledger/entries?account=${account}`, { token: s.tokens['fin-officer'] });
    expect(all.status).to.equal(200);
    expect(all.body.total).to.equal(2);
    expect(all.body.items[0].lines[0]).to.deep.equal({ lineNo: 1, account, side: 'debit', amount: '500000.00' });
    const april = await s.h.call('GET', `/v1/ledger/entries?account=${account}&from=2031-04-01&to=2031-04-30&page=1&pageSize=10`, { token: s.tokens.auditor });
    expect(april.body.items.map((e: { kind: string }) => e.kind)).to.deep.equal(['fund.reservation']);
    for (const q of ['from=2031-13-01', 'pageSize=0', 'pageSize=501', 'account=nope', 'from=2031-05-01&to=2031-04-01', 'color=red']) {
      const r = await s.h.call('GET', `/v1/ledger/entries?${q}`, { token: s.tokens.auditor });
      expect(r.status, q).to.equal(400);
      expect(r.body.error.code, q).to.equal('VALIDATION_FAILED');
    }
    expect((await s.h.call('GET', '/v1/ledger/entries', { token: s.tokens['bank-a'] })).status).to.equal(403);
  });

  it('GET /v1/ledger/accounts/:code/balance and /v1/ledger/trial-balance', async () => {
    const code = accountCode.fund(fundId, 'available');
    const now = await s.h.call('GET', `/v1/ledger/accounts/${code}/balance`, { token: s.tokens['fin-approver'] });
    expect(now.status).to.equal(200);
    expect(now.body).to.include({ account: code, balance: '498799.50', normalSide: 'debit', type: 'asset', asOf: null });
    const march = await s.h.call('GET', `/v1/ledger/accounts/${code}/balance?asOf=2031-03-31`, { token: s.tokens.auditor });
    expect(march.body).to.include({ balance: '500000.00', asOf: '2031-03-31' });
    expect((await s.h.call('GET', `/v1/ledger/accounts/${accountCode.fund(otherFundId, 'available')}/balance`, { token: s.tokens.auditor })).status).to.equal(404);
    const tb = await s.h.call('GET', '/v1/ledger/trial-balance?asOf=2031-12-31', { token: s.tokens['fin-officer'] });
    expect(tb.status).to.equal(200);
    expect(tb.body.balanced).to.equal(true);
    expect(tb.body.totalDebits).to.equal(tb.body.totalCredits);
    expect((await s.h.call('GET', '/v1/ledger/trial-balance?asOf=yesterday', { token: s.tokens.auditor })).status).to.equal(400);
  });

  it('GET /v1/ledger/verify is the auditor’s', async () => {
    await sealLedger(s.db);
    const r = await s.h.call('GET', '/v1/ledger/verify', { token: s.tokens.auditor });
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ ok: true, balanced: true, chainIntact: true, firstBadEntry: null, unsealed: 0 });
    expect(r.body.entries).to.be.greaterThanOrEqual(2);
    for (const who of ['fin-officer', 'fin-approver', 'bank-a']) {
      expect((await s.h.call('GET', '/v1/ledger/verify', { token: s.tokens[who] })).status, who).to.equal(403);
    }
  });

  it('is described in /openapi.json', async () => {
    const r = await s.h.call('GET', '/openapi.json');
    for (const p of ['/v1/ledger/entries', '/v1/ledger/verify', '/v1/ledger/trial-balance', '/v1/ledger/accounts/{code}/balance', '/v1/funds/{id}', '/v1/funds']) {
      expect(Object.keys(r.body.paths), p).to.include(p);
    }
  });
});
