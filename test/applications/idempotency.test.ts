import { expect } from 'chai';
import { adminOf } from '../support/env';
import { requestHash } from '../../api/idempotency';
import { purgeExpiredIdempotencyKeys } from '../../db/repositories/idempotency-keys';
import { useApiSuite, newApplicant, newIdNumber } from '../support/api';
import { submitNew, applicationBody, submit } from './helpers';

describe('Idempotency-Key on creating and deciding POSTs', () => {
  const s = useApiSuite();

  it('replays the first answer for the same key and body, and refuses another body with 409', async () => {
    const a = await newApplicant(s.h);
    const key = `submit-${a.username}`;
    const first = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(first.status).to.equal(201);
    const again = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(again.status).to.equal(201);
    expect(again.body.id).to.equal(first.body.id);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    const other = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs, { requestedAmount: '60000.00' }), headers: { 'Idempotency-Key': key } });
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal('CONFLICT');
    expect(await s.env.db('applications').where({ id_number: a.idNumber })).to.have.length(1);
  });

  it('records a replayed decision once', async () => {
    const { a, id } = await submitNew(s.h, s.orgs);
    const token = await s.h.login('community-a');
    const body = { decision: 'approve', type: 'credit_community', reason: 'ok' };
    const headers = { 'Idempotency-Key': `cg-${id}` };
    const r1 = await s.h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token, body, headers });
    const r2 = await s.h.call('POST', `/v1/applications/${id}/counter-guarantee`, { token, body, headers });
    expect(r1.status).to.equal(200);
    expect(r2.status).to.equal(200);
    expect(r2.body).to.deep.equal(r1.body);
    expect(await s.env.db('application_history').where({ application_id: id, step: 'counter_guarantee' })).to.have.length(1);
    expect(await s.env.db('audit_log').where({ entity_id: id, action: 'counter_guarantee.approve' })).to.have.length(1);
  });

  it('replays a refusal too, and keeps keys apart per user', async () => {
    const { a, id } = await submitNew(s.h, s.orgs);
    const reviewer = await s.h.login('g-reviewer');
    const body = { recommendation: 'approve', amount: '80000.00', reason: 'early' };
    const headers = { 'Idempotency-Key': 'shared-key-1' };
    const r1 = await s.h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body, headers });
    const r2 = await s.h.call('POST', `/v1/applications/${id}/guarantee-review`, { token: reviewer, body, headers });
    expect(r1.status).to.equal(409);
    expect(r2.status).to.equal(409);
    expect(r2.body.error.code).to.equal('INVALID_STATE');
    // The same key string from another user is another key.
    const cg = await s.h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await s.h.login('community-a'),
      body: { decision: 'approve', type: 'credit_community', reason: 'ok' },
      headers,
    });
    expect(cg.status).to.equal(200);
  });

  it('refuses a malformed key', async () => {
    const a = await newApplicant(s.h);
    const r = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': 'has spaces in it' } });
    expect(r.status).to.equal(400);
    expect(r.body.error.details[0].path).to.equal('Idempotency-Key');
  });
});

describe('Idempotency-Key: races, leases and expiry', () => {
  const s = useApiSuite();

  /** A day passes for this key (a stored reply is final even to the owner: its triggers are set aside). */
  const expire = (key: string) =>
    adminOf(s.env.db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('idempotency_keys').where({ key }).update({ expires_at: trx.raw(`now() - interval '1 second'`) });
    });
  const userId = async (username: string) => (await s.env.db('users').where({ username }).first('id')).id as string;

  it('20 concurrent requests on one key whose handler refuses the input: each gets a 4xx, none a 5xx, no key is left', async () => {
    const a = await newApplicant(s.h);
    // Well-formed, so it reaches the handler, which refuses the amount against the policy (400).
    const body = applicationBody(a, s.orgs, { requestedAmount: '1000.00' });
    const headers = { 'Idempotency-Key': `race-${a.username}` };
    const replies = await Promise.all(Array.from({ length: 20 }, () => s.h.call('POST', '/v1/applications', { token: a.token, body, headers })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), JSON.stringify(replies.map((r) => r.body))).to.deep.equal([]);
    for (const s of statuses) expect([400, 409]).to.include(s);
    expect(statuses).to.include(400);
    expect(await s.env.db('idempotency_keys').where({ key: headers['Idempotency-Key'] })).to.have.length(0);
  });

  it('a key whose request died without an answer is taken over by the retry once its lease has lapsed', async () => {
    const a = await newApplicant(s.h);
    const body = applicationBody(a, s.orgs);
    const key = `died-${a.username}`;
    // What a request that crashed mid-way leaves: the key, no reply, its lease running.
    await s.env.db('idempotency_keys').insert({
      user_id: await userId(a.username), key, method: 'POST', path: '/v1/applications', request_hash: requestHash('POST', '/v1/applications', body),
    });
    const busy = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(busy.status).to.equal(409);
    expect(busy.body.error.details[0].message).to.equal('in progress');
    // The lease lapses (a minute later; here, moved back by the owner).
    await adminOf(s.env.db)('idempotency_keys').where({ key }).update({ lease_until: s.env.db.raw(`now() - interval '1 second'`) });
    const retried = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    const replay = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(replay.body.id).to.equal(retried.body.id);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('keys expire after a day: the key may be used again, and the purge deletes expired ones', async () => {
    const a = await newApplicant(s.h);
    const key = `old-${a.username}`;
    const first = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(first.status).to.equal(201);
    const row = await s.env.db('idempotency_keys').where({ key }).first(s.env.db.raw(`round(extract(epoch from expires_at - created_at) / 3600) as hours`));
    expect(Number(row.hours)).to.equal(24);
    await expire(key);
    // A withdrawal under the same, expired key is a new request, not a 409.
    const withdraw = await s.h.call('POST', `/v1/applications/${first.body.id}/withdrawal`, { token: a.token, body: { reason: 'changed my mind' }, headers: { 'Idempotency-Key': key } });
    expect(withdraw.status, JSON.stringify(withdraw.body)).to.equal(200);
    await expire(key);
    expect(await purgeExpiredIdempotencyKeys(s.env.db)).to.be.greaterThan(0);
    expect(await s.env.db('idempotency_keys').where({ key })).to.have.length(0);
  });

  it('a key that got a refusal is a new submission once it expired, not the old refusal for ever', async () => {
    const a = await newApplicant(s.h);
    const first = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': `first-${a.username}` } });
    expect(first.status).to.equal(201);
    // A second application while the first is in progress: refused, and the refusal is the key's reply.
    const key = `second-${a.username}`;
    const refused = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(refused.status).to.equal(409);
    expect((await s.h.call('POST', `/v1/applications/${first.body.id}/withdrawal`, { token: a.token, body: { reason: 'applying again' } })).status).to.equal(200);
    const replayed = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(replayed.status, 'within the day: the stored refusal').to.equal(409);
    expect(replayed.headers.get('idempotent-replayed')).to.equal('true');
    await expire(key);
    const again = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.id).to.not.equal(first.body.id);
    // Left as it was found: no application waiting in the shared database's task lists.
    await s.h.call('POST', `/v1/applications/${again.body.id}/withdrawal`, { token: a.token, body: { reason: 'test done' } });
  });

  it('a submission that failed with a server fault keeps its key: the retry takes it over at once and finds the same application', async () => {
    const a = await newApplicant(s.h);
    const key = `fault-${a.username}`;
    const body = applicationBody(a, s.orgs);
    const first = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).to.equal(201);
    // What a fault after the workflow started leaves: the key without its reply, its lease given up.
    await adminOf(s.env.db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('idempotency_keys').where({ key }).update({ status_code: null, response: null, completed_at: null, lease_until: trx.raw(`now() - interval '1 second'`) });
    });
    const retried = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.body.id).to.equal(first.body.id);
    await s.h.call('POST', `/v1/applications/${first.body.id}/withdrawal`, { token: a.token, body: { reason: 'test done' } });
  });

  it('a rejected submission retried after a server fault finds its closed workflow: the same application, REJECTED, once', async () => {
    const a = await newApplicant(s.h, { issuedOn: '2020-01-01' });
    const key = `fault-rejected-${a.username}`;
    const body = applicationBody(a, s.orgs);
    const first = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(first.body.status, JSON.stringify(first.body)).to.equal('REJECTED');
    await adminOf(s.env.db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('idempotency_keys').where({ key }).update({ status_code: null, response: null, completed_at: null, lease_until: trx.raw(`now() - interval '1 second'`) });
    });
    const retried = await s.h.call('POST', '/v1/applications', { token: a.token, body, headers: { 'Idempotency-Key': key } });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.body).to.include({ id: first.body.id, status: 'REJECTED' });
    expect(retried.body.history.map((x: { step: string }) => x.step)).to.deep.equal(['submission', 'intake_check']);
  });

  it('a certificate registered by an attempt that died before storing its reply: the retry answers 201 with it, once; another key gets 409', async () => {
    const trainer = await s.h.login('trainer');
    const body = { certificateNo: `RETRY-${Date.now()}`, holderIdNumber: newIdNumber(), holderName: '王芳', course: 'SYB', issuedOn: '2026-01-05' };
    const key = `cert-${body.certificateNo}`;
    const first = await s.h.call('POST', '/v1/certificates', { token: trainer, body, headers: { 'Idempotency-Key': key } });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    // What the database restarting between the commit and the stored reply leaves.
    await adminOf(s.env.db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('idempotency_keys').where({ key }).update({ status_code: null, response: null, completed_at: null, lease_until: trx.raw(`now() - interval '1 second'`) });
    });
    const retried = await s.h.call('POST', '/v1/certificates', { token: trainer, body, headers: { 'Idempotency-Key': key } });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.body).to.deep.equal(first.body);
    expect(await s.env.db('audit_log').where({ action: 'certificate.register', entity_id: body.certificateNo })).to.have.length(1);
    const again = await s.h.call('POST', '/v1/certificates', { token: trainer, body, headers: { 'Idempotency-Key': `${key}-new` } });
    expect(again.status).to.equal(409);
    expect(again.body.error.details).to.deep.equal([{ path: 'certificateNo', message: 'already registered' }]);
  });

  it('a stored reply is final: the application role cannot rewrite it', async () => {
    const a = await newApplicant(s.h);
    const key = `final-${a.username}`;
    expect((await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs), headers: { 'Idempotency-Key': key } })).status).to.equal(201);
    const forged = await s.env.db('idempotency_keys').where({ key }).update({ response: JSON.stringify({ id: 'forged' }) }).catch((e) => e);
    expect(forged.code).to.equal('42501');
    const planted = await s.env.db('idempotency_keys')
      .insert({ user_id: await userId(a.username), key: `${key}-planted`, method: 'POST', path: '/v1/applications', request_hash: 'x', status_code: 201, response: '{}' })
      .catch((e) => e);
    expect(planted.code).to.equal('23514');
  });
});
