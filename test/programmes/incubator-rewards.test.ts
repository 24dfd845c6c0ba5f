import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { closeSuite, openPrivateSuite, type ApiHarness } from '../support/api';
import { login, newOrg } from '../subsidy/helpers';
import { Money, formatMoney } from '../../domain/money';
import { accountBalance, accountCode } from '../../db/ledger';
import { businessDateOf } from '../../domain/business-day';

/** An 18-character unified social credit code of its own. */
const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

/**
 * Incubator rewards (docs/programmes.md) under the default policy: 100,000.00 each to the operator
 * and the enterprise for a high-tech recognition while incubated or within 12 months of
 * graduating, 200,000.00 each for a listing within 24 months, 100,000.00 each more for a move from
 * the regional exchange to the NEEQ. Windows are checked at their edges; a second claim for one
 * event is refused by the database; payment comes from the incubator fund, never overspent.
 */
describe('incubator rewards', function () {
  let db: Knex;
  let h: ApiHarness;
  /** The demo's finance officer files and checks; a bureau of the test's own approves and pays from its fund. */
  let officer: string, approver: string, fundOfficer: string;
  let incubatorId: string;
  /** Graduated on 29 February 2024: its windows end on 28 February 2025 (12 months) and 2026 (24). */
  let graduate: string;
  /** Still incubated, since 10 May 2024. */
  let resident: string;
  let fundId: string;
  const year = Number(businessDateOf(new Date()).slice(0, 4));

  before(async function () {
    this.timeout(120_000);
    ({ db, h } = await openPrivateSuite('programmes_incubator'));
    officer = await h.login('fin-officer');
    const bureau = await newOrg(h, db, 'finance_bureau', ['finance_officer', 'finance_approver']);
    approver = await login(h, bureau.users.finance_approver!);
    fundOfficer = await login(h, bureau.users.finance_officer!);
  });
  after(() => closeSuite({ h, db }));

  const file = (body: object) => h.call('POST', '/v1/incubator-rewards', { token: officer, body });
  const check = (id: string, body: object) => h.call('POST', `/v1/incubator-rewards/${id}/check`, { token: officer, body });
  const approve = (id: string) => h.call('POST', `/v1/incubator-rewards/${id}/approval`, { token: approver, body: { decision: 'approve' } });
  const fund = async () => (await h.call('GET', `/v1/funds/${fundId}`, { token: approver })).body;

  it('registers an incubator, its operator and its enterprises; bad input names its field', async () => {
    const bad = await h.call('POST', '/v1/incubators', { token: officer, body: { name: '', operatorName: 'x', operatorCreditCode: 'abc', region: 'Changchun' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).to.deep.equal(['name', 'operatorCreditCode']);
    const inc = await h.call('POST', '/v1/incubators', {
      token: officer,
      body: { name: `长春创业孵化基地 ${randomUUID().slice(0, 6)}`, operatorName: '长春创业服务有限公司', operatorCreditCode: creditCode(), region: 'Changchun' },
    });
    expect(inc.status, JSON.stringify(inc.body)).to.equal(201);
    incubatorId = inc.body.id;
    const enterprise = (name: string, body: object) => h.call('POST', `/v1/incubators/${incubatorId}/enterprises`, { token: officer, body: { name, ...body } });
    const g = await enterprise('Graduate Tech', { creditCode: creditCode(), enteredOn: '2021-03-01', graduatedOn: '2024-02-29' });
    expect(g.status, JSON.stringify(g.body)).to.equal(201);
    graduate = g.body.id;
    const code = creditCode();
    const r = await enterprise('Resident Tech', { creditCode: code, enteredOn: '2024-05-10' });
    expect(r.status).to.equal(201);
    resident = r.body.id;
    expect((await enterprise('Copy', { creditCode: code, enteredOn: '2024-05-10' })).status, 'one registration per credit code').to.equal(409);
    expect((await enterprise('Backwards', { creditCode: creditCode(), enteredOn: '2024-05-10', graduatedOn: '2024-05-09' })).body.error.details[0].path).to.equal('graduatedOn');
    const listed = await h.call('GET', '/v1/incubators', { token: await h.login('auditor') });
    expect(listed.body.items.find((i: { id: string }) => i.id === incubatorId)).to.include({ enterpriseCount: 2, incubatingCount: 1 });
    const one = await h.call('GET', `/v1/incubators/${incubatorId}`, { token: await h.login('auditor') });
    expect(one.body.enterprises.map((e: { name: string }) => e.name)).to.deep.equal(['Graduate Tech', 'Resident Tech']);
    expect((await h.call('GET', '/v1/incubators', { token: await h.login('bank-a') })).status).to.equal(403);
  });

  it('windows at their edges: the day before entry and the day after the window are refused; the edges themselves are not', async () => {
    const highTech = (enterpriseId: string, eventOn: string) => file({ enterpriseId, kind: 'high_tech', documentNo: `GR-${eventOn}`, eventOn });
    const after = await highTech(graduate, '2025-03-01');
    expect(after.status, JSON.stringify(after.body)).to.equal(400);
    expect(after.body.error.details[0].path).to.equal('eventOn');
    expect(after.body.error.message).to.contain('2025-02-28');
    const lastDay = await highTech(graduate, '2025-02-28');
    expect(lastDay.status, JSON.stringify(lastDay.body)).to.equal(201);
    expect(lastDay.body).to.include({ status: 'FILED', kind: 'high_tech', amountEach: '100000.00', exchange: null });

    const before = await highTech(resident, '2024-05-09');
    expect(before.status).to.equal(400);
    expect((await highTech(resident, '2024-05-10')).status).to.equal(201);

    const listing = (eventOn: string) => file({ enterpriseId: graduate, kind: 'listing', exchange: 'regional', documentNo: `XJ-${eventOn}`, eventOn });
    expect((await listing('2026-03-01')).status).to.equal(400);
    const listed = await listing('2026-02-28');
    expect(listed.status, JSON.stringify(listed.body)).to.equal(201);
    expect(listed.body).to.include({ amountEach: '200000.00', exchange: 'regional' });
    expect((await file({ enterpriseId: graduate, kind: 'listing', documentNo: 'X', eventOn: '2026-01-01' })).body.error.details[0].path, 'a listing names its exchange').to.equal('exchange');
  });

  it('a second claim for the same event is refused by the database; a refused claim may be filed again', async () => {
    const again = await file({ enterpriseId: graduate, kind: 'high_tech', documentNo: 'GR-again', eventOn: '2024-06-01' });
    expect(again.status, JSON.stringify(again.body)).to.equal(409);
    expect(again.body.error.details[0].path).to.equal('kind');
    const existing = await db('incubator_reward_claims').where({ enterprise_id: graduate, kind: 'high_tech' }).first();
    const direct = await db('incubator_reward_claims')
      .insert({ ...existing, id: randomUUID(), workflow_id: `incubator-reward-${randomUUID()}`, document_no: 'forged' })
      .catch((e: unknown) => e);
    expect(direct).to.include({ code: '23505', constraint: 'incubator_reward_claims_once' });

    const residentClaim = (await db('incubator_reward_claims').where({ enterprise_id: resident, kind: 'high_tech' }).first()).id;
    expect((await check(residentClaim, { decision: 'refuse' })).status, 'a refusal needs a reason').to.equal(400);
    const refused = await check(residentClaim, { decision: 'refuse', reason: 'the certificate names another enterprise' });
    expect(refused.body).to.include({ status: 'REFUSED' });
    const refiled = await file({ enterpriseId: resident, kind: 'high_tech', documentNo: 'GR-2024-corrected', eventOn: '2024-05-10' });
    expect(refiled.status, JSON.stringify(refiled.body)).to.equal(201);
  });

  it('checked, approved by another person, paid to operator and enterprise from the incubator fund; waits when it is short', async () => {
    // The demo paid its own reward before: what this file pays comes on top.
    const before = (await accountBalance(db, accountCode.program('incubator_reward_expense'))).balance;
    const opened = await h.call('POST', '/v1/funds', { token: fundOfficer, body: { programme: 'incubator_rewards', year, name: `孵化器奖励资金 ${year}` } });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    fundId = opened.body.id;
    const topUp = async (amount: string) => {
      const p = await h.call('POST', `/v1/funds/${fundId}/top-ups`, { token: fundOfficer, body: { amount, reason: 'incubator rewards budget' } });
      expect((await h.call('POST', `/v1/funds/${fundId}/top-ups/${p.body.id}/decision`, { token: approver, body: { decision: 'approve' } })).status).to.equal(200);
    };
    await topUp('700000.00');

    const filed = await db('incubator_reward_claims').where({ status: 'FILED' }).whereIn('enterprise_id', [graduate, resident]).orderBy('created_at').pluck('id');
    expect(filed).to.have.length(3);
    for (const id of filed) {
      expect((await h.call('POST', `/v1/incubator-rewards/${id}/check`, { token: approver, body: { decision: 'accept' } })).status, 'the approver never checks').to.equal(403);
      expect((await check(id, { decision: 'adjust' })).status, 'a reward is not adjusted').to.equal(400);
      expect((await check(id, { decision: 'accept', reason: 'evidence seen' })).body.status).to.equal('CHECKED');
    }
    // 200,000.00 + 400,000.00 fit in 700,000.00; the third 200,000.00 does not.
    const byKind = async (enterpriseId: string, kind: string) => (await db('incubator_reward_claims').where({ enterprise_id: enterpriseId, kind }).whereNot({ status: 'REFUSED' }).first()).id as string;
    expect((await approve(await byKind(graduate, 'high_tech'))).body.status).to.equal('PAID');
    expect((await approve(await byKind(graduate, 'listing'))).body.status).to.equal('PAID');
    const waiting = await approve(await byKind(resident, 'high_tech'));
    expect(waiting.body.status).to.equal('PENDING_BUDGET');
    expect(await fund()).to.include({ budget: '700000.00', paid: '600000.00', available: '100000.00', reserved: '0.00' });

    // The move to the NEEQ follows the paid regional listing; any time after it, no window.
    const transfer = await file({ enterpriseId: graduate, kind: 'neeq_transfer', documentNo: 'NEEQ-2026-88', eventOn: '2026-06-01' });
    expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
    expect(transfer.body).to.include({ exchange: 'neeq', amountEach: '100000.00' });
    await check(transfer.body.id, { decision: 'accept' });

    await topUp('300000.00');
    expect((await approve(waiting.body.id)).body.status).to.equal('PAID');
    const paid = await approve(transfer.body.id);
    expect(paid.body).to.include({ status: 'PAID', fundId });
    // 200,000 + 400,000 + 200,000 + 200,000 = 1,000,000.00, half to operators and half to enterprises.
    expect(await fund()).to.include({ budget: '1000000.00', paid: '1000000.00', available: '0.00', reserved: '0.00' });
    const payouts = await db('ledger_entries').where({ kind: 'incubator.reward' }).whereRaw(`metadata->>'fundId' = ?`, [fundId]).select('metadata');
    expect(payouts).to.have.length(8);
    expect(payouts.filter((p: { metadata: { payee: string } }) => p.metadata.payee === 'operator')).to.have.length(4);
    expect((await accountBalance(db, accountCode.program('incubator_reward_expense'))).balance).to.equal(formatMoney(new Money(before).plus('1000000.00')));
  });

  it('a move to the NEEQ without a rewarded regional listing is refused', async () => {
    const r = await file({ enterpriseId: resident, kind: 'neeq_transfer', documentNo: 'NEEQ-x', eventOn: '2025-01-01' });
    expect(r.status).to.equal(422);
    expect(r.body.error.details[0].path).to.equal('kind');
  });
});
