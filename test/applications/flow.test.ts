import { expect } from 'chai';
import type { TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import { submitNew, applicationBody, submit, advance, today, type DemoOrgs } from './helpers';

describe('applications over HTTP: certificate → counter-guarantee → guarantee → disbursal', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  it('carries an application along the whole happy path, with history and audit for every step', async () => {
    const a = await newApplicant(h);
    const created = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs), headers: { 'X-Request-Id': 'req-submit-1' } });
    expect(created.status).to.equal(201);
    expect(created.body.status).to.equal('AWAITING_COUNTER_GUARANTEE');
    expect(created.body.requestedAmount).to.equal('80000.00');
    const id = created.body.id as string;

    /** An officer's decision on this application, which must answer 200 with the status it moved to. */
    const decide = async (step: string, officer: string, body: object, status: string, headers?: Record<string, string>) => {
      const r = await h.call('POST', `/v1/applications/${id}/${step}`, { token: await h.login(officer), body, headers });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.status).to.equal(status);
      return r;
    };
    const cg = await decide('counter-guarantee', 'community-a', { decision: 'approve', type: 'credit_community', reason: 'rated credit community member' }, 'AWAITING_GUARANTEE_REVIEW', {
      'X-Request-Id': 'req-cg-1',
    });
    expect(cg.body.counterGuaranteeType).to.equal('credit_community');
    const review = await decide('guarantee-review', 'g-reviewer', { recommendation: 'approve', amount: '70000', reason: 'plan is sound; trim to 70k' }, 'AWAITING_GUARANTEE_APPROVAL');
    expect(review.body.recommendedAmount).to.equal('70000.00');
    const approval = await decide('guarantee-approval', 'g-approver', { decision: 'approve', amount: '70000.00', reason: 'agree with the review' }, 'AWAITING_DISBURSAL');
    expect(approval.body.approvedAmount).to.equal('70000.00');
    const disbursed = { contractNo: `HT-${id.slice(0, 8)}`, amount: '70000.00', annualRate: '0.0435', disbursedOn: today(), bankReference: 'CCRCB-0001' };
    const disb = await decide('disbursal', 'bank-a', disbursed, 'REPAYING');
    expect(disb.body.loanId).to.be.a('string');
    expect(disb.body.bankId).to.equal(orgs.bankA);

    const seen = await h.call('GET', `/v1/applications/${id}`, { token: a.token });
    expect(seen.status).to.equal(200);
    expect(seen.body.history.map((x: any) => `${x.step}:${x.decision}`)).to.deep.equal([
      'submission:submitted',
      'intake_check:passed',
      'counter_guarantee:approved',
      'guarantee_review:recommended',
      'guarantee_approval:approved',
      'disbursal:disbursed',
    ]);
    const byRole = Object.fromEntries(seen.body.history.map((x: any) => [x.step, `${x.by}/${x.role}`]));
    expect(byRole.counter_guarantee).to.equal('community-a/community_officer');
    expect(byRole.guarantee_approval).to.equal('g-approver/guarantee_approver');
    expect(seen.body.history[2].reason).to.equal('rated credit community member');

    const loan = await env.db('loans').where({ id: disb.body.loanId }).first();
    expect(loan.principal).to.equal('70000.00');
    expect(loan.annual_rate).to.equal('0.043500');
    expect(loan.bank_id).to.equal(orgs.bankA);

    const audit = await env.db('audit_log').where({ entity_type: 'application', entity_id: id }).orderBy('id');
    const actions = audit.map((r) => r.action);
    for (const a of ['application.submit', 'counter_guarantee.approve', 'guarantee_review.approve', 'guarantee_approval.approve', 'disbursal.record']) {
      expect(actions).to.include(a);
    }
    const cgAudit = audit.find((r) => r.action === 'counter_guarantee.approve')!;
    expect(cgAudit.actor_username).to.equal('community-a');
    expect(cgAudit.actor_role).to.equal('community_officer');
    expect(cgAudit.actor_org_id).to.equal(orgs.communityA);
    // The caller's own ids are kept apart; the audit trail's request id is the API's (request-id.ts).
    expect(cgAudit.client_request_id).to.equal('req-cg-1');
    expect(cgAudit.request_id).to.equal(cg.headers.get('x-request-id'));
    expect(cgAudit.request_id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(cgAudit.reason).to.equal('rated credit community member');
    expect(audit.find((r) => r.action === 'application.submit')!.client_request_id).to.equal('req-submit-1');
    expect(audit.find((r) => r.action === 'application.submit')!.request_id).to.equal(created.headers.get('x-request-id'));
  });

  it('lists applications per organisation; other organisations get 403, strangers 404', async () => {
    const { a, id } = await submitNew(h, orgs);
    const listA = await h.call('GET', '/v1/applications?status=AWAITING_COUNTER_GUARANTEE&pageSize=200', { token: await h.login('community-a') });
    expect(listA.status).to.equal(200);
    expect(listA.body.items.map((x: any) => x.id)).to.include(id);
    const listB = await h.call('GET', '/v1/applications?pageSize=200', { token: await h.login('community-b') });
    expect(listB.body.items.map((x: any) => x.id)).to.not.include(id);
    expect((await h.call('GET', `/v1/applications/${id}`, { token: await h.login('community-b') })).status).to.equal(403);
    expect((await h.call('GET', `/v1/applications/${id}`, { token: await h.login('auditor') })).status).to.equal(200);
    const other = await newApplicant(h);
    expect((await h.call('GET', `/v1/applications/${id}`, { token: other.token })).status).to.equal(403);
    expect((await h.call('GET', `/v1/applications/00000000-0000-4000-8000-000000000000`, { token: a.token })).status).to.equal(404);
    expect((await h.call('GET', `/v1/applications/${id}`)).status).to.equal(401);
  });

  it('refuses a decision from the wrong role or another organisation with 403, writing nothing', async () => {
    const { a, id } = await submitNew(h, orgs);
    const body = { decision: 'approve', type: 'credit_community', reason: 'ok' };
    const wrongRole = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token: await h.login('g-reviewer'), body });
    expect(wrongRole.status).to.equal(403);
    expect(wrongRole.body.error.code).to.equal('FORBIDDEN');
    const otherOrg = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token: await h.login('community-b'), body });
    expect(otherOrg.status).to.equal(403);
    const row = await env.db('applications').where({ id }).first();
    expect(row.status).to.equal('AWAITING_COUNTER_GUARANTEE');
    expect(await env.db('application_history').where({ application_id: id, step: 'counter_guarantee' })).to.have.length(0);
  });

  it('answers a decision for the wrong step with 409 INVALID_STATE', async () => {
    const { a, id } = await submitNew(h, orgs);
    const early = await h.call('POST', `/v1/applications/${id}/guarantee-review`, {
      token: await h.login('g-reviewer'),
      body: { recommendation: 'approve', amount: '80000.00', reason: 'too early' },
    });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('INVALID_STATE');
    expect(early.body.error.message).to.contain('AWAITING_COUNTER_GUARANTEE');
    await advance(h, id, 'counter-guarantee');
    const twice = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await h.login('community-a'),
      body: { decision: 'reject', type: 'credit_community', reason: 'changed my mind' },
    });
    expect(twice.status).to.equal(409);
    expect(twice.body.error.code).to.equal('INVALID_STATE');
  });

  for (const [step, user, body, expectedReason] of [
    ['counter-guarantee', 'community-a', { decision: 'reject', type: 'credit_community', reason: 'not a resident of the community' }, 'counter-guarantee refused: not a resident of the community'],
    ['guarantee-review', 'g-reviewer', { recommendation: 'reject', reason: 'business plan not viable' }, 'guarantee review rejected: business plan not viable'],
    ['guarantee-approval', 'g-approver', { decision: 'reject', reason: 'exposure too high' }, 'guarantee approval rejected: exposure too high'],
  ] as const) {
    it(`ends REJECTED with the reason when the ${step} is refused; later decisions get 409`, async () => {
      const { a, id } = await submitNew(h, orgs);
      const before = { 'guarantee-review': 'counter-guarantee', 'guarantee-approval': 'guarantee-review' } as Record<string, 'counter-guarantee' | 'guarantee-review'>;
      if (before[step]) await advance(h, id, before[step]!);
      const r = await h.call('POST', `/v1/applications/${id}/${step}`, { token: await h.login(user), body });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.status).to.equal('REJECTED');
      expect(r.body.endReason).to.equal(expectedReason);
      expect(r.body.history.at(-1).decision).to.equal('rejected');
      const withdraw = await h.call('POST', `/v1/applications/${id}/withdrawal`, { token: a.token, body: {} });
      expect(withdraw.status).to.equal(409);
      // Refused by the workflow's validator, or — once it has finished — read as finished by class.
      expect(withdraw.body.error.code).to.equal('INVALID_STATE');
      expect(withdraw.body.error.message).to.match(/REJECTED/);
      // The person may apply again once nothing is in progress.
      await submit(h, a, orgs);
    });
  }

  const intakeCases: Array<[string, (h: ApiHarness) => Promise<{ a: Awaited<ReturnType<typeof newApplicant>>; over?: Record<string, unknown> }>, RegExp]> = [
    ['no such certificate', async (h) => ({ a: await newApplicant(h, { withCertificate: false }) }), /not found|not registered|no certificate/i],
    [
      'a revoked certificate',
      async (h) => {
        const a = await newApplicant(h);
        const r = await h.call('POST', `/v1/certificates/${a.certificateNo}/revocation`, { token: await h.login('trainer'), body: { reason: 'exam fraud' } });
        expect(r.status).to.equal(200);
        return { a };
      },
      /revoked/i,
    ],
    [
      "someone else's certificate",
      async (h) => {
        const a = await newApplicant(h);
        const b = await newApplicant(h);
        return { a, over: { certificateNo: b.certificateNo } };
      },
      /holder|belongs|another/i,
    ],
    ['a certificate older than the policy allows', async (h) => ({ a: await newApplicant(h, { issuedOn: '2020-01-01' }) }), /older|months|too old/i],
    ['an applicant older than 60', async (h) => ({ a: await newApplicant(h, { birth: '19500101' }) }), /age/i],
  ];
  for (const [what, make, reason] of intakeCases) {
    it(`rejects at intake with ${what}, giving the reason`, async () => {
      const { a, over } = await make(h);
      const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs, over) });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      expect(r.body.status).to.equal('REJECTED');
      expect(r.body.endReason).to.match(reason);
      expect(r.body.history.map((x: any) => `${x.step}:${x.decision}`)).to.deep.equal(['submission:submitted', 'intake_check:rejected']);
    });
  }

  it('lets the applicant withdraw before disbursal, not after', async () => {
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'guarantee-review');
    const other = await newApplicant(h);
    expect((await h.call('POST', `/v1/applications/${id}/withdrawal`, { token: other.token, body: {} })).status).to.equal(403);
    const w = await h.call('POST', `/v1/applications/${id}/withdrawal`, { token: a.token, body: { reason: 'found other funding' } });
    expect(w.status).to.equal(200);
    expect(w.body.status).to.equal('WITHDRAWN');
    expect(w.body.endReason).to.contain('found other funding');

    const a2 = await newApplicant(h);
    const id2 = await submit(h, a2, orgs);
    await advance(h, id2, 'disbursal');
    const late = await h.call('POST', `/v1/applications/${id2}/withdrawal`, { token: a2.token, body: {} });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('INVALID_STATE');
  });

  it('refuses the approval by the person who reviewed (maker–checker), even after a change of role', async () => {
    const admin = await h.login('admin');
    const username = `maker-${Date.now().toString(36)}`;
    const made = await h.call('POST', '/v1/users', { token: admin, body: { username, password: 'password-1', role: 'guarantee_reviewer', orgId: orgs.guarantee } });
    expect(made.status).to.equal(201);
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'counter-guarantee');
    const maker = await h.login(username, 'password-1');
    const review = await h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: maker, body: { recommendation: 'approve', amount: '60000.00', reason: 'ok' } });
    expect(review.status).to.equal(200);
    const promoted = await h.call('PATCH', `/v1/users/${made.body.id}`, { token: admin, body: { role: 'guarantee_approver' } });
    expect(promoted.status).to.equal(200);
    const self = await h.call('POST', `/v1/applications/${id}/guarantee-approval`, { token: maker, body: { decision: 'approve', amount: '60000.00', reason: 'my own' } });
    expect(self.status).to.equal(403);
    expect(self.body.error.message).to.match(/maker.checker|different person/i);
    expect((await env.db('applications').where({ id }).first()).status).to.equal('AWAITING_GUARANTEE_APPROVAL');
    const other = await h.call('POST', `/v1/applications/${id}/guarantee-approval`, { token: await h.login('g-approver'), body: { decision: 'approve', amount: '60000.00', reason: 'checked' } });
    expect(other.status).to.equal(200);
  });

  it('keeps approved amounts within the requested amount and the policy band', async () => {
    const a = await newApplicant(h);
    const id = await submit(h, a, orgs, { requestedAmount: '90000.00' });
    await advance(h, id, 'counter-guarantee');
    const reviewer = await h.login('g-reviewer');
    for (const [amount, path] of [['95000.00', 'amount'], ['40000.00', 'amount'], ['100000.01', 'amount']] as const) {
      const r = await h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body: { recommendation: 'approve', amount, reason: 'x' } });
      expect(r.status, amount).to.equal(400);
      expect(r.body.error.details.map((d: any) => d.path)).to.include(path);
    }
    const ok = await h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body: { recommendation: 'approve', amount: '50000.00', reason: 'lower bound' } });
    expect(ok.status).to.equal(200);
    const approver = await h.login('g-approver');
    const tooMuch = await h.call('POST', `/v1/applications/${id}/guarantee-approval`, { token: approver, body: { decision: 'approve', amount: '90000.01', reason: 'x' } });
    expect(tooMuch.status).to.equal(400);
  });

  it('checks the disbursal against the approval, the rate cap and the back-dating window', async () => {
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'guarantee-approval');
    const bank = await h.login('bank-a');
    const base = { contractNo: `X-${id.slice(0, 6)}`, amount: '80000.00', annualRate: '0.0435', disbursedOn: today(), bankReference: 'R1' };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ amount: '80000.01' }, 'amount'],
      [{ annualRate: '0.0601' }, 'annualRate'],
      [{ disbursedOn: '2099-01-01' }, 'disbursedOn'],
      [{ disbursedOn: '2020-01-01' }, 'disbursedOn'],
    ];
    for (const [over, path] of bad) {
      const r = await h.call('POST', `/v1/applications/${id}/disbursal`, { token: bank, body: { ...base, ...over } });
      expect(r.status, JSON.stringify(over)).to.equal(400);
      expect(r.body.error.details.map((d: any) => d.path)).to.include(path);
    }
    expect(await env.db('loans').where({ application_id: id })).to.have.length(0);
    const ok = await h.call('POST', `/v1/applications/${id}/disbursal`, { token: bank, body: base });
    expect(ok.status).to.equal(200);
  });

  it('refuses a second active application by the same person with 409', async () => {
    const a = await newApplicant(h);
    await submit(h, a, orgs);
    const again = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs) });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('CONFLICT');
    expect(await env.db('applications').where({ id_number: a.idNumber })).to.have.length(1);
  });
});
