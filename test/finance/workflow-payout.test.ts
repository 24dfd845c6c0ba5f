import { expect } from 'chai';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestEnv } from '../support/env';
import { openApiSuite, type ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { fundFor, serverToday } from '../loans/helpers';
import { loanPaidThrough, login, newOrg, skipPastQuarter } from '../subsidy/helpers';
import { getEntry, getFundStatus, verifyLedger } from '../../db/ledger';
import { Money } from '../../domain/money';
import { quarterOf } from '../../domain/dates';

/**
 * The whole path on the time-skipping server: a loan repaid on time, the bank's quarterly claim
 * checked and approved by two finance officers, the payout posted by the subsidy-claim workflow —
 * and then the bank's statement reconciled against it through the API.
 */
describe('finance: reconciling a payout made by the subsidy-claim workflow (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  // The API's "today" is the wall clock's until the server has skipped ahead, then the server's.
  // (Read at each request, never at file load: a run may cross midnight, UTC+8.)
  let serverNow: number | undefined;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true, now: () => new Date(serverNow ?? Date.now()) })));
  after(async () => h?.close());

  async function upload(token: string, quarter: string, bankId: string, csv: string) {
    const form = new FormData();
    form.append('quarter', quarter);
    form.append('bankId', bankId);
    form.append('file', new Blob([csv]), 'statement.csv');
    const res = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('matches the paid claim by its id, amount and date; a wrong amount is corrected by reversing the payout, and the claim is paid again', async () => {
    const bank = await newOrg(h, env.db, 'bank', ['bank_officer']);
    const bankToken = await login(h, bank.users.bank_officer!);
    const opened = await loanPaidThrough(h, skipping, orgs, bank.users.bank_officer!, { termMonths: 6, payPeriods: 3 });
    const claimQuarter = opened.periods[0]!.quarter as string;
    await skipPastQuarter(skipping, claimQuarter);
    await fundFor(env.db, Number((await serverToday(skipping)).slice(0, 4)), '1000000.00', `finance-e2e-budget-${bank.orgId}`);

    const filed = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter: claimQuarter } });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const claimId = filed.body.id as string;
    expect((await h.call('POST', `/v1/subsidy-claims/${claimId}/check`, { token: await h.login('fin-officer'), body: { decision: 'approve' } })).status).to.equal(200);
    const paid = await h.call('POST', `/v1/subsidy-claims/${claimId}/approval`, { token: await h.login('fin-approver'), body: { decision: 'approve' } });
    expect(paid.body.status, JSON.stringify(paid.body)).to.equal('PAID');
    const claim = await env.db('subsidy_claims').where({ id: claimId }).first();
    serverNow = await skipping.currentTimeMs();
    const quarter = quarterOf(claim.paid_on);

    const officer = await h.login('fin-officer');
    const ok = await upload(officer, quarter, bank.orgId, `date,reference,amount,description\n${claim.paid_on},${claimId},${claim.total},subsidy ${claimQuarter}\n`);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body).to.include({ lineCount: 1, matched: 1, payoutCount: 1, payoutTotal: claim.total, mismatchCount: 0 });

    const off = await upload(officer, quarter, bank.orgId, `date,reference,amount,description\n${claim.paid_on},${claimId},1.00,\n`);
    expect(off.body.mismatches.map((m: any) => [m.kind, m.statementAmount, m.ledgerAmount, m.payoutEntryId])).to.deep.equal([['amount_differs', '1.00', claim.total, Number(claim.payout_entry_id)]]);
    const fixed = await h.call('POST', `/v1/reconciliations/${off.body.id}/mismatches/1/resolution`, {
      token: await h.login('fin-approver'),
      body: { resolution: 'reversal', reason: 'paid to the wrong account; repay after correction' },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).to.equal(200);
    const reversal = await getEntry(env.db, fixed.body.resolution.reversalEntryId);
    expect(reversal.reversesEntryId).to.equal(Number(claim.payout_entry_id));
    expect((await verifyLedger(env.db)).balanced).to.equal(true);

    // The claim is no longer paid: the bank sees it, and the fund holds its amount reserved again.
    const fundBefore = await getFundStatus(env.db, claim.fund_id);
    const reversed = await h.call('GET', `/v1/subsidy-claims/${claimId}`, { token: bankToken });
    expect(reversed.body).to.include({ status: 'PAYOUT_REVERSED', total: claim.total });

    // Once corrected, the approver (and only the approver) pays it again, today, from that reservation.
    const byOfficer = await h.call('POST', `/v1/subsidy-claims/${claimId}/payout`, { token: officer, body: { reason: 'account corrected' } });
    expect(byOfficer.status).to.equal(403);
    const approver = await h.login('fin-approver');
    const again = await h.call('POST', `/v1/subsidy-claims/${claimId}/payout`, { token: approver, body: { reason: 'account corrected by the bank' } });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    const today = await serverToday(skipping);
    expect(again.body).to.include({ status: 'PAID', paidOn: today, total: claim.total });
    const repaid = await env.db('subsidy_claims').where({ id: claimId }).first();
    const payout = await getEntry(env.db, Number(repaid.payout_entry_id));
    expect(payout).to.include({ kind: 'fund.payout', postedOn: today });
    expect(payout.metadata).to.include({ replacesPayoutEntryId: Number(claim.payout_entry_id) });
    const fundAfter = await getFundStatus(env.db, claim.fund_id);
    expect(fundAfter.reserved).to.equal(new Money(fundBefore.reserved).minus(claim.total).toFixed(2));
    expect(fundAfter.paid).to.equal(new Money(fundBefore.paid).plus(claim.total).toFixed(2));
    expect(fundAfter.available).to.equal(fundBefore.available);
    const twice = await h.call('POST', `/v1/subsidy-claims/${claimId}/payout`, { token: approver, body: { reason: 'once more' } });
    expect(twice.status).to.equal(409);
    const audited = await env.db('audit_log').where({ entity_type: 'subsidy_claim', entity_id: claimId }).whereIn('action', ['subsidy_claim.payout_reversed', 'subsidy_claim.paid_again']).orderBy('id').pluck('action');
    expect(audited).to.deep.equal(['subsidy_claim.payout_reversed', 'subsidy_claim.paid_again']);
    expect((await verifyLedger(env.db)).balanced).to.equal(true);
  });
});
