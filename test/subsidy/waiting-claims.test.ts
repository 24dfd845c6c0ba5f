import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ApiHarness } from '../support/api';
import { financeSuite, storedClaim, type People } from '../finance/helpers';
import { openFund } from '../support/funds';
import { businessDateOf } from '../../domain/business-day';

describe('a top-up retries the claims waiting for budget, and says which it could not retry', function () {
  const suite = financeSuite('waiting_claims', { api: true });
  let db: Knex, h: ApiHarness, p: People;
  before(() => {
    ({ db, h, p } = suite);
  });

  it('reports a waiting claim whose workflow has finished, with its reason, and keeps it waiting', async () => {
    const today = businessDateOf(new Date());
    const fund = await openFund(db, { bureauId: p.bureau, year: Number(today.slice(0, 4)), name: 'Special fund (waiting claims)' });
    // A claim approved while the fund was short, whose workflow is gone (it finished, or was
    // terminated by an operator): its payout cannot be tried again through it.
    const claimId = randomUUID();
    await storedClaim(db, {
      id: claimId, bank_id: p.bankA, quarter: '2026Q1', workflow_id: `subsidy-claim-gone-${claimId}`, status: 'PENDING_BUDGET', late: false,
      total: '10.00', filed_on: '2026-04-02', filed_by: p.bankOfficer.id, checked_by: p.officer.userId, approved_by: p.approver.userId, approved_at: new Date(),
    });
    const officer = await h.login('fin-officer');
    const approver = await h.login('fin-approver');
    const proposed = await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: officer, body: { amount: '100.00', reason: 'budget for the waiting claim' } });
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    const decided = await h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposed.body.id}/decision`, { token: approver, body: { decision: 'approve' } });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(decided.body.proposal.status).to.equal('approved');
    expect(decided.body.claimsPaid).to.deep.equal([]);
    expect(decided.body.claimsWaiting).to.deep.equal([claimId]);
    expect(decided.body.claimsNotRetried).to.deep.equal([{ claimId, code: 'INVALID_STATE', message: "the claim's workflow has finished" }]);
    expect((await h.call('GET', `/v1/subsidy-claims/${claimId}`, { token: approver })).body.status).to.equal('PENDING_BUDGET');
  });
});
