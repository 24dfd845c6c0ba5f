import { expect } from 'chai';
import type { TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import { applicationBody, submit, type DemoOrgs } from './helpers';

describe('Idempotency-Key on creating and deciding POSTs', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  it('replays the first answer for the same key and body, and refuses another body with 409', async () => {
    const a = await newApplicant(h);
    const key = `submit-${a.username}`;
    const first = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs), headers: { 'Idempotency-Key': key } });
    expect(first.status).to.equal(201);
    const again = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs), headers: { 'Idempotency-Key': key } });
    expect(again.status).to.equal(201);
    expect(again.body.id).to.equal(first.body.id);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    const other = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs, { requestedAmount: '60000.00' }), headers: { 'Idempotency-Key': key } });
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal('CONFLICT');
    expect(await env.db('applications').where({ id_number: a.idNumber })).to.have.length(1);
  });

  it('records a replayed decision once', async () => {
    const a = await newApplicant(h);
    const id = await submit(h, a, orgs);
    const token = await h.login('community-a');
    const body = { decision: 'approve', type: 'credit_community', reason: 'ok' };
    const headers = { 'Idempotency-Key': `cg-${id}` };
    const r1 = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token, body, headers });
    const r2 = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token, body, headers });
    expect(r1.status).to.equal(200);
    expect(r2.status).to.equal(200);
    expect(r2.body).to.deep.equal(r1.body);
    expect(await env.db('application_history').where({ application_id: id, step: 'counter_guarantee' })).to.have.length(1);
    expect(await env.db('audit_log').where({ entity_id: id, action: 'counter_guarantee.approve' })).to.have.length(1);
  });

  it('replays a refusal too, and keeps keys apart per user', async () => {
    const a = await newApplicant(h);
    const id = await submit(h, a, orgs);
    const reviewer = await h.login('g-reviewer');
    const body = { recommendation: 'approve', amount: '80000.00', reason: 'early' };
    const headers = { 'Idempotency-Key': 'shared-key-1' };
    const r1 = await h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body, headers });
    const r2 = await h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body, headers });
    expect(r1.status).to.equal(409);
    expect(r2.status).to.equal(409);
    expect(r2.body.error.code).to.equal('INVALID_STATE');
    // The same key string from another user is another key.
    const cg = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await h.login('community-a'),
      body: { decision: 'approve', type: 'credit_community', reason: 'ok' },
      headers,
    });
    expect(cg.status).to.equal(200);
  });

  it('refuses a malformed key', async () => {
    const a = await newApplicant(h);
    const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs), headers: { 'Idempotency-Key': 'has spaces in it' } });
    expect(r.status).to.equal(400);
    expect(r.body.error.details[0].path).to.equal('Idempotency-Key');
  });
});
