import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { startApi, demoOrgs, newApplicant, type ApiHarness, type DemoOrgs } from '../support/api';
import { submit, advance } from '../applications/helpers';
import { storedClaim } from './helpers';

/**
 * My tasks beyond applications: claims to check, approve or file again, top-ups and reopen
 * requests for the checker. A database of its own: it closes a quarter, and quarters are global.
 */
describe('My tasks for the finance bureau and the banks (GET /v1/tasks)', () => {
  let h: ApiHarness, db: Knex, orgs: DemoOrgs;
  before(async function () {
    this.timeout(120_000);
    const env = await testEnv();
    db = (await env.newDatabase('tasks', { seed: true })).db;
    h = await startApi({ ...env, db }, { deps: { db } });
    orgs = await demoOrgs({ ...env, db });
  });
  after(async () => h?.close());

  const tasks = async (who: string, query = 'pageSize=200', password?: string) => {
    const r = await h.call('GET', `/v1/tasks?${query}`, { token: await h.login(who, password) });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body as { items: Array<Record<string, any>>; total: number };
  };
  const userId = async (username: string) => (await db('users').where({ username }).first('id')).id as string;

  /** A claim row as the subsidy-claim workflow leaves it at that step (the workflow itself is tested in test/subsidy/). */
  async function claim(bankId: string, quarter: string, status: string, o: { checkedBy?: string; createdAt?: string } = {}) {
    const id = randomUUID();
    const rejected = status === 'REJECTED';
    await storedClaim(db, {
      id, bank_id: bankId, quarter, workflow_id: `no-workflow-${id}`, status, late: false, total: '123.45', filed_on: '2020-07-02',
      filed_by: await userId(bankId === orgs.bankA ? 'bank-a' : 'bank-b'), checked_by: o.checkedBy ?? null,
      rejected_by: rejected ? await userId('fin-officer') : null, rejection_reason: rejected ? 'line 2 was paid late' : null,
      ...(o.createdAt ? { created_at: o.createdAt } : {}),
    });
    return id;
  }

  it('gives the officer claims to check, the approver claims to approve and top-ups and reopen requests someone else proposed', async () => {
    const submitted = await claim(orgs.bankA, '2020Q2', 'SUBMITTED', { createdAt: '2020-07-02T02:00:00Z' });
    const checked = await claim(orgs.bankB, '2020Q2', 'CHECKED', { checkedBy: await userId('fin-officer'), createdAt: '2020-07-03T02:00:00Z' });
    const officer = await tasks('fin-officer');
    expect(officer.items.map((t) => t.claimId ?? t.kind)).to.deep.equal([submitted]);
    expect(officer.items[0]).to.include({ kind: 'subsidy_claim', status: 'SUBMITTED', quarter: '2020Q2', bankName: 'Changchun Rural Commercial Bank', total: '123.45', late: false, checkedBy: null });
    const approver = await tasks('fin-approver');
    expect(approver.items.map((t) => t.claimId)).to.deep.equal([checked]);
    expect(approver.items[0]).to.include({ status: 'CHECKED', checkedBy: 'fin-officer' });

    // A top-up proposed by the officer is the approver's to decide, never the officer's.
    const fund = (await db('funds').first('id', 'name')) as { id: string; name: string };
    const proposed = await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: await h.login('fin-officer'), body: { amount: '5000.00', reason: 'claims of Q2 exceed the budget' } });
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    const proposalId = proposed.body.proposal?.id ?? proposed.body.id;
    const withTopUp = await tasks('fin-approver');
    expect(withTopUp.items.map((t) => t.kind)).to.deep.equal(['subsidy_claim', 'fund_top_up']);
    expect(withTopUp.items[1]).to.deep.include({ kind: 'fund_top_up', proposalId, fundId: fund.id, fundName: fund.name, amount: '5000.00', reason: 'claims of Q2 exceed the budget', proposedBy: 'fin-officer' });
    expect((await tasks('fin-officer')).items.map((t) => t.kind)).to.deep.equal(['subsidy_claim']);

    // What an approver proposes goes to another approver.
    const admin = await h.login('admin');
    const bureau = (await db('users').where({ username: 'fin-approver' }).first('org_id')).org_id;
    const second = `fin-approver-2-${Date.now().toString(36)}`;
    expect((await h.call('POST', '/v1/users', { token: admin, body: { username: second, password: 'demo-password', role: 'finance_approver', orgId: bureau } })).status).to.equal(201);
    const own = await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: await h.login('fin-approver'), body: { amount: '1.00', reason: 'rounding' } });
    expect(own.status).to.equal(201);
    expect((await tasks('fin-approver')).items.filter((t) => t.kind === 'fund_top_up').map((t) => t.proposedBy)).to.deep.equal(['fin-officer']);
    expect((await tasks(second, 'pageSize=200', 'demo-password')).items.filter((t) => t.kind === 'fund_top_up').map((t) => t.proposedBy)).to.deep.equal(['fin-officer', 'fin-approver']);

    // A reopen request: the officer asks, the approver decides.
    expect((await h.call('POST', '/v1/periods/2020Q1/close', { token: await h.login('fin-approver'), body: {} })).status).to.equal(200);
    const asked = await h.call('POST', '/v1/periods/2020Q1/reopen', { token: await h.login('fin-officer'), body: { reason: 'bank corrected its statement' } });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const reopen = (await tasks('fin-approver')).items.find((t) => t.kind === 'period_reopen');
    expect(reopen).to.include({ quarter: '2020Q1', reason: 'bank corrected its statement', proposedBy: 'fin-officer', proposalId: asked.body.reopenRequests[0].id });

    // Decided, each leaves the list.
    expect((await h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposalId}/decision`, { token: await h.login('fin-approver'), body: { decision: 'reject', reason: 'not this year' } })).status).to.equal(200);
    expect((await h.call('POST', `/v1/periods/2020Q1/reopen-requests/${reopen!.proposalId}/decision`, { token: await h.login('fin-approver'), body: { decision: 'reject', reason: 'not needed after all' } })).status).to.equal(200);
    expect((await tasks('fin-approver')).items.map((t) => t.kind)).to.deep.equal(['subsidy_claim']);
  });

  it("gives the bank its disbursals first, then its rejected claims until filed again; one page runs across both", async () => {
    const a = await newApplicant(h);
    const id = await submit(h, a, orgs, { bankId: orgs.bankA });
    await advance(h, id, 'guarantee-approval');
    const rejected = await claim(orgs.bankA, '2020Q3', 'REJECTED', { createdAt: '2020-10-02T02:00:00Z' });
    await claim(orgs.bankB, '2020Q3', 'REJECTED');
    const all = await tasks('bank-a');
    expect(all.items.map((t) => t.applicationId ?? t.claimId)).to.deep.equal([id, rejected]);
    expect(all.items[1]).to.include({ kind: 'subsidy_claim', status: 'REJECTED', rejectedBy: 'fin-officer', rejectionReason: 'line 2 was paid late' });
    const first = await tasks('bank-a', 'pageSize=1&page=1');
    const second = await tasks('bank-a', 'pageSize=1&page=2');
    expect([first.total, second.total]).to.deep.equal([2, 2]);
    expect(first.items.map((t) => t.kind)).to.deep.equal(['application']);
    expect(second.items.map((t) => t.claimId)).to.deep.equal([rejected]);
    expect((await tasks('bank-a', 'pageSize=1&page=3')).items).to.deep.equal([]);

    // Filed again, the rejected one is done.
    await claim(orgs.bankA, '2020Q3', 'SUBMITTED');
    expect((await tasks('bank-a')).items.map((t) => t.kind)).to.deep.equal(['application']);
    for (const who of ['auditor', 'admin', 'trainer']) expect((await tasks(who)).total, who).to.equal(0);
  });
});
