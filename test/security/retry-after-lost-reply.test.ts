import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { useApiSuite, newIdNumber, type ApiHarness, type Reply } from '../support/api';
import { financeSuite, paidClaim, csv } from '../finance/helpers';
import { importStatement } from '../../db/reconciliation';
import { accrueSubsidy, reserveBudget } from '../../db/ledger';
import { businessDateOf } from '../../domain/business-day';
import { defaultPolicyParams } from '../../domain/policy';

/**
 * A create or a decision whose first attempt committed and died before its reply was stored (the
 * database restarted in between, as in CI's chaos run): the retry under the same Idempotency-Key
 * takes the key over and must answer as the first attempt did, not refuse its own success
 * (docs/architecture.md, "Idempotency"). Anyone else, another body, or a record made before the
 * key's first use still meets the refusal.
 */

/** What the database restarting between the commit and the stored reply leaves: the key pending, its lease lapsed. */
async function loseReply(db: Knex, key: string): Promise<void> {
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    const n = await trx('idempotency_keys').where({ key }).update({ status_code: null, response: null, completed_at: null, lease_until: trx.raw(`now() - interval '1 second'`) });
    expect(n, `key ${key}`).to.equal(1);
  });
}

const tagged = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;
const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

/**
 * Sends the request under a fresh key, loses its reply, sends it again: the retry answers the
 * same status and body as the first attempt. Returns both replies.
 */
async function retriedAfterLostReply(
  h: ApiHarness,
  db: Knex,
  o: { method?: 'POST' | 'PATCH'; path: string; token: string; body: unknown; status: number },
): Promise<{ first: Reply; retried: Reply; key: string }> {
  const key = tagged('lost-reply');
  const send = () => h.call(o.method ?? 'POST', o.path, { token: o.token, body: o.body, headers: { 'Idempotency-Key': key } });
  const first = await send();
  expect(first.status, JSON.stringify(first.body)).to.equal(o.status);
  await loseReply(db, key);
  const retried = await send();
  expect(retried.status, JSON.stringify(retried.body)).to.equal(o.status);
  expect(retried.body).to.deep.equal(first.body);
  return { first, retried, key };
}

/** Sends under a fresh key, loses the reply, sends again: the refusal stands. */
async function refusedAgainAfterLostReply(h: ApiHarness, db: Knex, o: { path: string; token: string; body: unknown; status: number }): Promise<Reply> {
  const key = tagged('refused');
  const send = () => h.call('POST', o.path, { token: o.token, body: o.body, headers: { 'Idempotency-Key': key } });
  const first = await send();
  expect(first.status, JSON.stringify(first.body)).to.equal(o.status);
  await loseReply(db, key);
  const retried = await send();
  expect(retried.status, JSON.stringify(retried.body)).to.equal(o.status);
  expect(retried.body.error.code).to.equal(first.body.error.code);
  return retried;
}

const audits = (db: Knex, action: string, entityId: string) => db('audit_log').where({ action, entity_id: entityId });

/** A plain call under a fresh key, answered as expected: what a test needs made before its own request. */
async function made(h: ApiHarness, o: { path: string; token: string; body: unknown; status?: number }): Promise<any> {
  const r = await h.call('POST', o.path, { token: o.token, body: o.body, headers: { 'Idempotency-Key': tagged('made') } });
  expect(r.status, JSON.stringify(r.body)).to.equal(o.status ?? 201);
  return r.body;
}

describe('a retry after a lost reply answers as its first attempt did: registries and programmes', function () {
  const s = useApiSuite();
  const newIncubator = async (token: string) =>
    made(s.h, { path: '/v1/incubators', token, body: { name: tagged('净月孵化基地'), operatorName: '净月创业服务有限公司', operatorCreditCode: creditCode(), region: 'Changchun' } });

  it('POST /v1/users: 201 with the account, made once; it signs in with its password', async () => {
    const admin = await s.h.login('admin');
    const username = tagged('retry-trainer');
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, {
      path: '/v1/users', token: admin, body: { username, password: 'demo-password', role: 'training_officer', orgId: s.orgs.training }, status: 201,
    });
    expect(retried.body).to.include({ username, role: 'training_officer' });
    expect(await audits(s.env.db, 'user.create', retried.body.id)).to.have.length(1);
    expect(await s.h.login(username, 'demo-password')).to.be.a('string');
  });

  it('PATCH /v1/users/:id: 200 with the account changed, one audit row and not two', async () => {
    const admin = await s.h.login('admin');
    const made = await s.h.call('POST', '/v1/users', {
      token: admin, body: { username: tagged('retry-patch'), password: 'demo-password', role: 'training_officer', orgId: s.orgs.training }, headers: { 'Idempotency-Key': tagged('made') },
    });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, { method: 'PATCH', path: `/v1/users/${made.body.id}`, token: admin, body: { active: false }, status: 200 });
    expect(retried.body).to.include({ id: made.body.id, active: false });
    expect(await audits(s.env.db, 'user.change', made.body.id)).to.have.length(1);
  });

  it('POST /v1/organisations: 201 with it, made once', async () => {
    const admin = await s.h.login('admin');
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, { path: '/v1/organisations', token: admin, body: { type: 'community', name: tagged('Retry Community'), region: 'Nanguan' }, status: 201 });
    expect(await audits(s.env.db, 'organisation.create', retried.body.id)).to.have.length(1);
  });

  it('an organisation of another admin, of another body, or made before the key: the retry is still 409', async () => {
    const admin = await s.h.login('admin');
    const otherName = tagged('retry-admin');
    await made(s.h, { path: '/v1/users', token: admin, body: { username: otherName, password: 'demo-password', role: 'admin' } });
    const other = await s.h.login(otherName, 'demo-password');
    const body = { type: 'community', name: tagged('Taken Community'), region: 'Nanguan' };
    await made(s.h, { path: '/v1/organisations', token: admin, body });

    const byOther = await refusedAgainAfterLostReply(s.h, s.env.db, { path: '/v1/organisations', token: other, body, status: 409 });
    expect(byOther.body.error.details).to.deep.equal([{ path: 'name', message: 'already used' }]);
    await refusedAgainAfterLostReply(s.h, s.env.db, { path: '/v1/organisations', token: admin, body: { ...body, region: 'Chaoyang' }, status: 409 });
    await refusedAgainAfterLostReply(s.h, s.env.db, { path: '/v1/organisations', token: admin, body, status: 409 });
    expect(await s.env.db('organisations').where({ name: body.name })).to.have.length(1);
  });

  it('POST /v1/certificates/:no/revocation: 200 with it revoked, once; revoking it again under another key is still 409', async () => {
    const trainer = await s.h.login('trainer');
    const no = tagged('REVOKE');
    await made(s.h, { path: '/v1/certificates', token: trainer, body: { certificateNo: no, holderIdNumber: newIdNumber(), holderName: '王芳', course: 'SYB', issuedOn: '2026-01-05' } });
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, { path: `/v1/certificates/${no}/revocation`, token: trainer, body: { reason: 'issued in error' }, status: 200 });
    expect(retried.body).to.include({ revoked: true, revocationReason: 'issued in error' });
    expect(await audits(s.env.db, 'certificate.revoke', no)).to.have.length(1);
    await refusedAgainAfterLostReply(s.h, s.env.db, { path: `/v1/certificates/${no}/revocation`, token: trainer, body: { reason: 'issued in error' }, status: 409 });
  });

  it('POST /v1/incubators: 201 with it, registered once', async () => {
    const officer = await s.h.login('fin-officer');
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, {
      path: '/v1/incubators', token: officer, body: { name: tagged('净月孵化基地'), operatorName: '净月创业服务有限公司', operatorCreditCode: creditCode(), region: 'Changchun' }, status: 201,
    });
    expect(await audits(s.env.db, 'incubator.register', retried.body.id)).to.have.length(1);
  });

  it('POST /v1/incubators/:id/enterprises: 201 with it, registered once', async () => {
    const officer = await s.h.login('fin-officer');
    const incubator = await newIncubator(officer);
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, {
      path: `/v1/incubators/${incubator.id}/enterprises`, token: officer, body: { name: tagged('长春星图'), creditCode: creditCode(), enteredOn: '2025-01-10' }, status: 201,
    });
    expect(await audits(s.env.db, 'incubator.enterprise_register', retried.body.id)).to.have.length(1);
  });

  it('POST /v1/incubators/:id/enterprises/:enterpriseId/graduation: 200 with the date, once; another date is still 409', async () => {
    const officer = await s.h.login('fin-officer');
    const incubator = await newIncubator(officer);
    const enterprise = await made(s.h, { path: `/v1/incubators/${incubator.id}/enterprises`, token: officer, body: { name: tagged('长春星图'), creditCode: creditCode(), enteredOn: '2025-01-10' } });
    const graduation = `/v1/incubators/${incubator.id}/enterprises/${enterprise.id}/graduation`;
    const { retried } = await retriedAfterLostReply(s.h, s.env.db, { path: graduation, token: officer, body: { graduatedOn: '2025-06-01' }, status: 200 });
    expect(retried.body).to.include({ graduatedOn: '2025-06-01' });
    expect(await audits(s.env.db, 'incubator.enterprise_graduate', enterprise.id)).to.have.length(1);
    await refusedAgainAfterLostReply(s.h, s.env.db, { path: graduation, token: officer, body: { graduatedOn: '2025-07-01' }, status: 409 });
  });

  it('POST /v1/forecasts/scenarios: 201 with it, saved once', async () => {
    const officer = await s.h.login('fin-officer');
    const name = tagged('Retry scenario');
    await retriedAfterLostReply(s.h, s.env.db, { path: '/v1/forecasts/scenarios', token: officer, body: { name, params: { subsidyShare: '0.8' }, scope: 'new_loans_only' }, status: 201 });
    expect(await s.env.db('forecast_scenarios').where({ name })).to.have.length(1);
  });
});

describe('a retry after a lost reply answers as its first attempt did: finance', function () {
  // A database of its own: these tests close quarters, which are global.
  const f = financeSuite('retry_lost', { api: true, logins: ['fin-officer', 'fin-approver', 'admin'] });
  const HEADER = 'date,reference,amount,description';
  let year = 2030;
  const newFund = () => made(f.h, { path: '/v1/funds', token: f.tokens['fin-officer']!, body: { programme: 'training_subsidy', year: ++year, name: `创业培训补贴资金 ${year}` } });
  const close = (quarter: string) => made(f.h, { path: `/v1/periods/${quarter}/close`, token: f.tokens['fin-approver']!, body: {}, status: 200 });
  /** Three payouts to bank A in a month of an ended quarter, and its statement showing only the first: two missing_in_statement mismatches. */
  const reconciledWithTwoMissing = async (month: string) => {
    const claims = await Promise.all(['500.00', '250.00', '75.25'].map((amount, i) => paidClaim(f.db, f.p, { bankId: f.p.bankA, amount, paidOn: `${month}-1${i}` })));
    const quarter = `${month.slice(0, 4)}Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
    const rec = await importStatement(f.db, { bankId: f.p.bankA, quarter, fileName: 's.csv', open: csv([HEADER, `${month}-10,${claims[0]!.claimId},500.00,`]), actor: f.p.officer, today: businessDateOf(new Date()) });
    const mismatches = (await f.h.call('GET', `/v1/reconciliations/${rec.id}/mismatches`, { token: f.tokens['fin-officer'] })).body.items as Array<{ itemNo: number; claimId: string }>;
    const resolution = (claim: number) => `/v1/reconciliations/${rec.id}/mismatches/${mismatches.find((m) => m.claimId === claims[claim]!.claimId)!.itemNo}/resolution`;
    return { rec, claims, resolution };
  };

  it('POST /v1/policies: 201 with it, one version and not two', async () => {
    const body = { effectiveFrom: '2199-01-01', params: defaultPolicyParams };
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: '/v1/policies', token: f.tokens['admin']!, body, status: 201 });
    expect(await f.db('policies').where({ effective_from: '2199-01-01' }).pluck('id')).to.deep.equal([retried.body.id]);
  });

  it('POST /v1/reconciliations: 201 with the import, imported once and not twice', async () => {
    const claim = await paidClaim(f.db, f.p, { bankId: f.p.bankB, amount: '120.00', paidOn: '2025-05-12' });
    const key = tagged('lost-reply');
    const upload = async () => {
      const res = await fetch(`${f.h.url}/v1/reconciliations?quarter=2025Q2&bankId=${f.p.bankB}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.tokens['fin-officer']}`, 'content-type': 'text/csv', 'Idempotency-Key': key },
        body: `${HEADER}\n2025-05-12,${claim.claimId},120.00,\n`,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const first = await upload();
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    await loseReply(f.db, key);
    const retried = await upload();
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.body).to.deep.equal(first.body);
    expect(await f.db('reconciliations').where({ bank_id: f.p.bankB, quarter: '2025Q2' }).pluck('id')).to.deep.equal([first.body.id]);
  });

  it('POST /v1/funds: 201 with the fund, opened once', async () => {
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: '/v1/funds', token: f.tokens['fin-officer']!, body: { programme: 'incubator_rewards', year: 2031, name: '孵化奖励资金 2031' }, status: 201 });
    expect(await audits(f.db, 'fund.created', retried.body.id)).to.have.length(1);
  });

  it('POST /v1/funds/:id/top-ups: 201 with the proposal, one proposal and not two', async () => {
    const fund = await newFund();
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: `/v1/funds/${fund.id}/top-ups`, token: f.tokens['fin-officer']!, body: { amount: '1000.00', reason: 'training budget' }, status: 201 });
    expect(await f.db('finance_proposals').where({ fund_id: fund.id }).pluck('id')).to.deep.equal([retried.body.id]);
  });

  it('POST /v1/funds/:id/top-ups/:proposalId/decision: 200 with the budget allocated once; deciding it otherwise is still 409', async () => {
    const fund = await newFund();
    const proposal = await made(f.h, { path: `/v1/funds/${fund.id}/top-ups`, token: f.tokens['fin-officer']!, body: { amount: '1000.00', reason: 'training budget' } });
    const decision = `/v1/funds/${fund.id}/top-ups/${proposal.id}/decision`;
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: decision, token: f.tokens['fin-approver']!, body: { decision: 'approve' }, status: 200 });
    expect(retried.body.fund).to.include({ budget: '1000.00' });
    await refusedAgainAfterLostReply(f.h, f.db, { path: decision, token: f.tokens['fin-approver']!, body: { decision: 'reject', reason: 'too much' }, status: 409 });
  });

  it('POST /v1/periods/:quarter/close: 200 with the quarter closed once; a close for another reason is still 409', async () => {
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: '/v1/periods/2024Q1/close', token: f.tokens['fin-approver']!, body: {}, status: 200 });
    expect(retried.body).to.include({ status: 'closed' });
    expect(await f.db('accounting_period_events').where({ quarter: '2024Q1' })).to.have.length(1);
    await refusedAgainAfterLostReply(f.h, f.db, { path: '/v1/periods/2024Q1/close', token: f.tokens['fin-approver']!, body: { reason: 'another close' }, status: 409 });
  });

  it('POST /v1/periods/:quarter/reopen: 201 with the request, one request and not a 409', async () => {
    await close('2024Q2');
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: '/v1/periods/2024Q2/reopen', token: f.tokens['fin-officer']!, body: { reason: 'the bank corrected its statement' }, status: 201 });
    expect(await f.db('finance_proposals').where({ kind: 'period_reopen', quarter: '2024Q2' }).pluck('id')).to.deep.equal([retried.body.reopenRequests[0].id]);
  });

  it('POST /v1/periods/:quarter/reopen retried after the request was decided: 201 with it, not a 5xx', async () => {
    await close('2025Q1');
    const key = tagged('reopen-decided');
    const ask = () => f.h.call('POST', '/v1/periods/2025Q1/reopen', { token: f.tokens['fin-officer']!, body: { reason: 'the bank corrected its statement' }, headers: { 'Idempotency-Key': key } });
    const first = await ask();
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const id = first.body.reopenRequests[0].id as string;
    await loseReply(f.db, key);
    await made(f.h, { path: `/v1/periods/2025Q1/reopen-requests/${id}/decision`, token: f.tokens['fin-approver']!, body: { decision: 'reject', reason: 'the statement stands' }, status: 200 });
    const retried = await ask();
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.body.reopenRequests.map((r: { id: string; status: string }) => [r.id, r.status])).to.deep.include([id, 'rejected']);
    expect(await f.db('finance_proposals').where({ kind: 'period_reopen', quarter: '2025Q1' })).to.have.length(1);
  });

  it('POST /v1/periods/:quarter/reopen-requests/:requestId/decision: 200 with the quarter reopened once', async () => {
    await close('2024Q3');
    const asked = await made(f.h, { path: '/v1/periods/2024Q3/reopen', token: f.tokens['fin-officer']!, body: { reason: 'the bank corrected its statement' } });
    const { retried } = await retriedAfterLostReply(f.h, f.db, {
      path: `/v1/periods/2024Q3/reopen-requests/${asked.reopenRequests[0].id}/decision`, token: f.tokens['fin-approver']!, body: { decision: 'approve', reason: 'checked' }, status: 200,
    });
    expect(retried.body).to.include({ status: 'open' });
    expect(await f.db('accounting_period_events').where({ quarter: '2024Q3' }).pluck('action')).to.deep.equal(['close', 'reopen']);
  });

  it("POST /v1/reconciliations/:id/mismatches/:itemNo/resolution: 200 with it resolved once; another person's same resolution is still 409", async () => {
    const { rec, resolution } = await reconciledWithTwoMissing('2025-08');
    const body = { resolution: 'explanation', reason: 'paid to the wrong account; the bank confirmed' };
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: resolution(1), token: f.tokens['fin-officer']!, body, status: 200 });
    expect(retried.body.resolution).to.include({ kind: 'explanation', by: 'fin-officer' });
    expect(await f.db('audit_log').where({ action: 'reconciliation.mismatch.explanation', entity_id: rec.id })).to.have.length(1);
    await refusedAgainAfterLostReply(f.h, f.db, { path: resolution(1), token: f.tokens['fin-approver']!, body, status: 409 });
  });

  it('POST /v1/subsidy-claims/:id/payout: 200 with the claim paid again, once', async () => {
    const { claims, resolution } = await reconciledWithTwoMissing('2025-11');
    const claim = claims[2]!;
    await made(f.h, { path: resolution(2), token: f.tokens['fin-approver']!, body: { resolution: 'reversal', reason: 'never reached the bank' }, status: 200 });
    // paidClaim pays without a reservation, as a claim approved in the past would: what the payout
    // again takes is put where an approved claim's would be (the fund's reserve, the bank's accrual).
    const today = businessDateOf(new Date());
    const { fund_id: fundId } = await f.db('subsidy_claims').where({ id: claim.claimId }).first('fund_id');
    await accrueSubsidy(f.db, { bankOrgId: f.p.bankA, amount: claim.amount, postedOn: today, idempotencyKey: tagged('retry-accrual') });
    await reserveBudget(f.db, { fundId, amount: claim.amount, postedOn: today, idempotencyKey: tagged('retry-reserve') });
    const { retried } = await retriedAfterLostReply(f.h, f.db, { path: `/v1/subsidy-claims/${claim.claimId}/payout`, token: f.tokens['fin-approver']!, body: { reason: 'account corrected' }, status: 200 });
    expect(retried.body).to.include({ status: 'PAID' });
    expect(await audits(f.db, 'subsidy_claim.paid_again', claim.claimId)).to.have.length(1);
  });
});
