import { expect } from 'chai';
import { financeSuite } from '../finance/helpers';

/**
 * Attacks on a fund's years (docs/programmes.md "Funds and their years"): "A top-up of a fund whose
 * year has ended is refused (409): that year's budget is closed", and what is left lapses once.
 * The API's clock is the test's.
 */
describe('attack: a fund’s ended year', function () {
  let clock = new Date('2034-12-31T02:00:00Z');
  const s = financeSuite('attack_funds', { api: true, now: () => clock, logins: ['fin-officer', 'fin-approver'] });

  it('a top-up proposed on 31 December and approved after the year ended and lapsed is refused; the lapsed year keeps no budget', async () => {
    const opened = await s.h.call('POST', '/v1/funds', { token: s.tokens['fin-officer'], body: { programme: 'training_subsidy', year: 2034, name: 'Training 2034' } });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const fundId = opened.body.id as string;
    const propose = (amount: string) => s.h.call('POST', `/v1/funds/${fundId}/top-ups`, { token: s.tokens['fin-officer'], body: { amount, reason: 'budget 2034' } });
    const decide = (id: string) => s.h.call('POST', `/v1/funds/${fundId}/top-ups/${id}/decision`, { token: s.tokens['fin-approver'], body: { decision: 'approve' } });

    const first = await propose('1000.00');
    expect((await decide(first.body.id)).status).to.equal(200);
    // 31 December, in the year: a second top-up is proposed and left pending.
    const pending = await propose('500000.00');
    expect(pending.status, JSON.stringify(pending.body)).to.equal(201);

    // 1 January (UTC+8): the year has ended; the approver lapses what is left.
    clock = new Date('2034-12-31T16:00:00Z');
    const lapsed = await s.h.call('POST', `/v1/funds/${fundId}/lapse`, { token: s.tokens['fin-approver'] });
    expect(lapsed.status, JSON.stringify(lapsed.body)).to.equal(200);
    expect(lapsed.body).to.include({ budget: '1000.00', available: '0.00', lapsed: '1000.00', yearEnded: true });

    // The attack: approve the pending top-up of the ended, lapsed year.
    const late = await decide(pending.body.id);
    const fund = (await s.h.call('GET', `/v1/funds/${fundId}`, { token: s.tokens['fin-officer'] })).body;
    const lapseAgain = (await s.h.call('POST', `/v1/funds/${fundId}/lapse`, { token: s.tokens['fin-approver'] })).body;
    expect(
      { status: late.status, budget: fund.budget, available: fund.available, availableAfterSecondLapse: lapseAgain.available },
      'an ended year’s budget grows no more, and nothing stays available in a lapsed fund',
    ).to.deep.equal({ status: 409, budget: '1000.00', available: '0.00', availableAfterSecondLapse: '0.00' });
  });
});
