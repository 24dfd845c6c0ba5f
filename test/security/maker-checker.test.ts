import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';
import { financeDb, people, rejection, type People } from '../finance/helpers';
import { createFund, getFundStatus } from '../../db/ledger';

/**
 * Money rules move only with two people (docs/security.md): a top-up is proposed by one finance
 * officer or approver and approved by another, a finance approver; its allocation is keyed on the
 * proposal, so no retry allocates twice. (Reopening a quarter: test/finance/periods.test.ts.)
 */
describe('maker–checker: fund top-ups', function () {
  let db: Knex;
  let h: ApiHarness;
  let p: People;
  let officer: string;
  let approver: string;
  let fundId: string;

  before(async () => {
    const env = await testEnv();
    db = await financeDb(env, 'maker_checker');
    h = await startApi({ ...env, db }, { runWorker: false });
    p = await people(db);
    officer = await h.login('fin-officer');
    approver = await h.login('fin-approver');
    fundId = (await createFund(db, { year: 2033, financeBureauOrgId: p.bureau, name: 'Special fund 2033' })).id;
  });
  after(async () => {
    await h?.close();
    await db?.destroy();
  });

  const propose = (token: string, amount: string, headers: Record<string, string> = {}) =>
    h.call('POST', `/v1/funds/${fundId}/top-ups`, { token, body: { amount, reason: 'supplementary budget for Q4' }, headers });
  const decide = (token: string, id: string, body: object) => h.call('POST', `/v1/funds/${fundId}/top-ups/${id}/decision`, { token, body });
  const budget = async () => (await getFundStatus(db, fundId)).budget;

  it('a proposal allocates nothing; the proposer cannot approve it; another approver can, once', async () => {
    const before = await budget();
    const proposed = await propose(approver, '5000.00');
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    expect(proposed.body).to.include({ status: 'pending', amount: '5000.00', proposedBy: 'fin-approver', ledgerEntryId: null });
    expect(await budget()).to.equal(before);

    const self = await decide(approver, proposed.body.id, { decision: 'approve' });
    expect(self.status).to.equal(403);
    expect(self.body.error.message).to.match(/another person/);
    expect(await budget()).to.equal(before);

    const byOfficer = await propose(officer, '700.00');
    expect((await decide(officer, byOfficer.body.id, { decision: 'approve' })).status, 'an officer never approves').to.equal(403);
    const ok = await decide(approver, byOfficer.body.id, { decision: 'approve', reason: 'budget letter 2033-17' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.proposal).to.include({ status: 'approved', decidedBy: 'fin-approver', proposedBy: 'fin-officer' });
    expect(ok.body.fund.budget).to.equal('700.00');
    // A second approval (a retry, or another tab) allocates nothing more.
    expect((await decide(approver, byOfficer.body.id, { decision: 'approve' })).status).to.equal(409);
    expect(await budget()).to.equal('700.00');
    const entries = await db('ledger_entries').where({ idempotency_key: `fund-top-up:${byOfficer.body.id}` });
    expect(entries).to.have.length(1);

    const list = await h.call('GET', `/v1/funds/${fundId}/top-ups`, { token: await h.login('auditor') });
    expect(list.body.map((x: any) => [x.amount, x.status])).to.deep.equal([
      ['700.00', 'approved'],
      ['5000.00', 'pending'],
    ]);
  });

  it('a rejection needs a reason and allocates nothing', async () => {
    const proposed = await propose(officer, '123.45');
    expect((await decide(approver, proposed.body.id, { decision: 'reject' })).status).to.equal(400);
    const r = await decide(approver, proposed.body.id, { decision: 'reject', reason: 'no budget letter' });
    expect(r.status).to.equal(200);
    expect(r.body.proposal).to.include({ status: 'rejected', decisionReason: 'no budget letter' });
    expect(r.body.claimsPaid).to.deep.equal([]);
    expect(await budget()).to.equal('700.00');
  });

  it('refuses amounts beyond any budget, and proposals by banks or for another bureau’s fund', async () => {
    expect((await propose(officer, '1000000000000.01')).status).to.equal(400);
    expect((await propose(await h.login('bank-a'), '10.00')).status).to.equal(403);
    const otherBureau = (await db('organisations').insert({ type: 'finance_bureau', name: `Other bureau ${Date.now()}`, region: 'x' }).returning('id'))[0].id;
    const other = await createFund(db, { year: 2033, financeBureauOrgId: otherBureau, name: 'theirs' });
    expect((await h.call('POST', `/v1/funds/${other.id}/top-ups`, { token: officer, body: { amount: '10.00', reason: 'not ours' } })).status).to.equal(404);
  });

  it('the database itself refuses a top-up approved by its proposer, without its allocation, or decided twice', async () => {
    const proposed = await propose(officer, '50.00');
    const id = proposed.body.id;
    const update = (set: object) => rejection(db('finance_proposals').where({ id }).update(set));
    expect((await update({ status: 'approved', decided_by: p.officer.userId, decided_role: 'finance_officer' })).message).to.match(/four_eyes|finance approver/);
    expect((await update({ status: 'approved', decided_by: p.approver.userId, decided_role: 'finance_approver' })).message).to.match(/names its allocation/);
    expect((await update({ amount: '5000000.00' })).message).to.match(/only the decision/);
    expect((await rejection(db('finance_proposals').where({ id }).delete())).message).to.match(/never deleted/);
    const inserted = await rejection(
      db('finance_proposals').insert({ kind: 'fund_top_up', fund_id: fundId, amount: '1.00', reason: 'sneaky', proposed_by: p.bankOfficer.id, proposed_role: 'bank_officer' }),
    );
    expect(inserted.message).to.match(/only an active finance officer or approver proposes/);
    await db('finance_proposals').where({ id }).update({ status: 'rejected', decided_by: p.approver.userId, decided_role: 'finance_approver', decision_reason: 'test' });
    expect((await update({ status: 'approved' })).message).to.match(/was rejected already/);
  });
});
