import { expect } from 'chai';
import { financeSuite } from './helpers';
import { payProgrammeExpense, reserveBudget } from '../../db/ledger';
import { uniqueKey } from '../ledger/helpers';
import { approvedTrainingClaim } from '../support/funds';

/**
 * Funds and their years (docs/programmes.md): finance opens a fund per programme and year, its
 * budget comes by the top-up's maker–checker, and once the year has ended (business date, UTC+8)
 * what is left lapses back to the treasury, in the ledger. The API's clock is the test's.
 */
describe('funds: programmes, years and the year-end view', function () {
  let clock = new Date('2030-03-01T02:00:00Z');
  const s = financeSuite('fund_years', { api: true, now: () => clock, logins: ['fin-officer', 'fin-approver', 'auditor', 'bank-a'] });

  const open = (token: string, body: object) => s.h.call('POST', '/v1/funds', { token, body });

  it('finance opens a fund per programme and year; a second is 409; bad input names its field; others are refused', async () => {
    const training = await open(s.tokens['fin-officer']!, { programme: 'training_subsidy', year: 2030, name: '创业培训补贴资金 2030' });
    expect(training.status, JSON.stringify(training.body)).to.equal(201);
    expect(training.body).to.include({ programme: 'training_subsidy', year: 2030, budget: '0.00', reserved: '0.00', paid: '0.00', available: '0.00', lapsed: '0.00', financeBureauOrgId: s.p.bureau });
    expect(training.headers.get('location')).to.equal(`/v1/funds/${training.body.id}`);
    const interest = await open(s.tokens['fin-approver']!, { programme: 'interest_subsidy', year: 2030, name: 'Interest subsidy 2030' });
    expect(interest.status).to.equal(201);

    const again = await open(s.tokens['fin-approver']!, { programme: 'training_subsidy', year: 2030, name: 'again' });
    expect(again.status).to.equal(409);
    expect(again.body.error.details[0].path).to.equal('year');

    const bad = await open(s.tokens['fin-officer']!, { programme: 'lottery', year: 1999, name: '' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).to.deep.equal(['name', 'programme', 'year']);
    expect((await open(s.tokens['bank-a']!, { programme: 'training_subsidy', year: 2031, name: 'x' })).status).to.equal(403);
    expect((await open(s.tokens['auditor']!, { programme: 'training_subsidy', year: 2031, name: 'x' })).status).to.equal(403);

    const audited = await s.db('audit_log').where({ action: 'fund.created', entity_id: training.body.id }).first();
    expect(audited).to.include({ actor_username: 'fin-officer' });
    expect(audited.payload).to.deep.equal({ programme: 'training_subsidy', year: 2030, name: '创业培训补贴资金 2030' });
    const listed = await s.h.call('GET', '/v1/funds?year=2030&programme=training_subsidy', { token: s.tokens['auditor'] });
    expect(listed.body.map((f: { id: string }) => f.id)).to.deep.equal([training.body.id]);
  });

  it('the budget comes by the top-up maker–checker; after 31 December what is left lapses, once, in the ledger', async () => {
    const fund = (await s.h.call('GET', '/v1/funds?year=2030&programme=training_subsidy', { token: s.tokens['fin-officer'] })).body[0];
    const proposed = await s.h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: s.tokens['fin-officer'], body: { amount: '1000.00', reason: 'training budget 2030' } });
    expect(proposed.status).to.equal(201);
    const decided = await s.h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposed.body.id}/decision`, { token: s.tokens['fin-approver'], body: { decision: 'approve' } });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(decided.body.fund).to.include({ budget: '1000.00', available: '1000.00', lapsed: '0.00' });

    // A training subsidy of 250.25 paid out of it (the programme's own postings).
    await reserveBudget(s.db, { fundId: fund.id, amount: '250.25', postedOn: '2030-06-30', idempotencyKey: uniqueKey('r') });
    const claimId = await approvedTrainingClaim(s.db, { bureauId: s.p.bureau, amount: '250.25' });
    await payProgrammeExpense(s.db, {
      fundId: fund.id, amount: '250.25', postedOn: '2030-06-30', idempotencyKey: uniqueKey('p'), expense: 'training_subsidy_expense', kind: 'training.payout', metadata: { claimId },
    });

    const lapse = () => s.h.call('POST', `/v1/funds/${fund.id}/lapse`, { token: s.tokens['fin-approver'] });
    // 2030-12-31 23:59 in UTC+8: the year has not ended.
    clock = new Date('2030-12-31T15:59:00Z');
    const early = await lapse();
    expect(early.status).to.equal(409);
    let view = await s.h.call('GET', '/v1/funds/year-end?year=2030', { token: s.tokens['fin-officer'] });
    expect(view.body.find((f: { id: string }) => f.id === fund.id)).to.include({ budget: '1000.00', reserved: '0.00', paid: '250.25', available: '749.75', lapsed: '0.00', yearEnded: false });

    // 2031-01-01 00:00 in UTC+8: it has.
    clock = new Date('2030-12-31T16:00:00Z');
    expect((await s.h.call('POST', `/v1/funds/${fund.id}/lapse`, { token: s.tokens['fin-officer'] })).status, 'the approver lapses a fund').to.equal(403);
    const lapsed = await lapse();
    expect(lapsed.status, JSON.stringify(lapsed.body)).to.equal(200);
    expect(lapsed.body).to.include({ budget: '1000.00', reserved: '0.00', paid: '250.25', available: '0.00', lapsed: '749.75', yearEnded: true });
    // Budget = paid + lapsed + available + reserved, to the fen.
    expect((await lapse()).body).to.include({ paid: '250.25', lapsed: '749.75', available: '0.00' });
    const entries = await s.db('ledger_entries').where({ kind: 'fund.lapse' }).whereRaw(`metadata->>'fundId' = ?`, [fund.id]);
    expect(entries).to.have.length(1);
    expect(entries[0].posted_on).to.equal('2031-01-01');
    expect(await s.db('audit_log').where({ action: 'fund.lapsed', entity_id: fund.id }).count('* as n').first()).to.deep.equal({ n: 1 });

    view = await s.h.call('GET', '/v1/funds/year-end?year=2030', { token: s.tokens['auditor'] });
    expect(view.status).to.equal(200);
    const rows = view.body.map((f: any) => [f.programme, f.budget, f.reserved, f.paid, f.lapsed, f.yearEnded]);
    expect(rows).to.deep.include(['training_subsidy', '1000.00', '0.00', '250.25', '749.75', true]);
    expect(rows).to.deep.include(['interest_subsidy', '0.00', '0.00', '0.00', '0.00', true]);

    // An ended year's budget grows no more.
    const late = await s.h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: s.tokens['fin-officer'], body: { amount: '1.00', reason: 'too late for 2030' } });
    expect(late.status).to.equal(409);
    expect((await s.h.call('GET', '/v1/funds/year-end?year=1999', { token: s.tokens['auditor'] })).status).to.equal(400);
  });
});
