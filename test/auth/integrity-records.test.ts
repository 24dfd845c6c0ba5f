import { expect } from 'chai';
import { openApiSuite, newApplicant, newIdNumber, type ApiHarness } from '../support/api';
import type { TestEnv } from '../support/env';
import { submit, type DemoOrgs } from '../applications/helpers';
import { startPlainApi } from './helpers';
import { maskIdNumber } from '../../domain/masking';
import { checkCharFor } from '../../domain/id-number';

/**
 * A masked ID number (a certificate's, to an officer not entitled to it) hides a birth date and a
 * few digits: about 1,400 candidates once the check digit is counted. Integrity records must not
 * tell which candidate is a person (docs/security.md): an officer reads only the record of a person
 * they handle, every such read is audited, and reads are limited per user.
 */
describe('integrity records: who may read whose', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  /** Applications made here, withdrawn at the end: the shared database's task lists stay as they were. */
  const made: Array<{ id: string; token: string }> = [];
  after(async () => {
    for (const m of made) await h?.call('POST', `/v1/applications/${m.id}/withdrawal`, { token: m.token, body: { reason: 'test done' } });
    await h?.close();
  });
  const read = async (idNumber: string, who: string) => h.call('GET', `/v1/integrity-records/${idNumber}`, { token: await h.login(who) });
  const reads = (idNumber: string) => env.db('audit_log').where({ action: 'integrity_record.read', entity_id: idNumber });

  it('an officer who does not handle the person gets the same 404 for them as for no one, and cannot complete a masked number', async () => {
    const a = await newApplicant(h);
    made.push({ id: await submit(h, a, orgs), token: a.token }); // community-a's application
    const masked = maskIdNumber(a.idNumber);
    // What the review did: every birth date whose check digit fits the mask's, the real one among them.
    const candidates: string[] = [];
    for (let day = Date.UTC(1989, 0, 1); candidates.length < 6; day += 86400e3) {
      const first17 = a.idNumber.slice(0, 6) + new Date(day).toISOString().slice(0, 10).replace(/-/g, '') + a.idNumber.slice(14, 17);
      const candidate = first17 + checkCharFor(first17);
      if (maskIdNumber(candidate) === masked && candidate !== a.idNumber) candidates.push(candidate);
    }
    candidates.splice(3, 0, a.idNumber);
    const answers = [];
    for (const c of candidates) {
      const r = await read(c, 'community-b');
      answers.push([r.status, r.body.error.code, r.body.error.message]);
    }
    expect(new Set(answers.map((x) => JSON.stringify(x))).size, JSON.stringify(answers)).to.equal(1);
    expect(answers[0]).to.deep.equal([404, 'NOT_FOUND', 'no integrity record of a person whose application you handle']);
    // Nor a bank that has not got the application.
    expect((await read(a.idNumber, 'bank-b')).status).to.equal(404);
    expect(await reads(a.idNumber)).to.have.length(0);
  });

  it('the officers handling the application and the auditor read it, each read audited; the person reads their own, unaudited', async () => {
    const a = await newApplicant(h);
    const applicationId = await submit(h, a, orgs);
    made.push({ id: applicationId, token: a.token });
    for (const who of ['community-a', 'g-reviewer', 'fin-officer', 'auditor', 'trainer']) {
      const r = await read(a.idNumber, who);
      expect(r.status, `${who}: ${JSON.stringify(r.body)}`).to.equal(200);
      expect(r.body).to.include({ idNumber: a.idNumber, loans: 0 });
    }
    const rows = await reads(a.idNumber).orderBy('id');
    expect(rows.map((r) => r.actor_username)).to.deep.equal(['community-a', 'g-reviewer', 'fin-officer', 'auditor', 'trainer']);
    expect(rows[0].payload).to.deep.equal({ throughApplication: applicationId });
    expect((await h.call('GET', `/v1/integrity-records/${a.idNumber}`, { token: a.token })).status).to.equal(200);
    expect(await reads(a.idNumber)).to.have.length(5);
  });

  it('limits how many records of other people a user reads: then 429 with Retry-After', async () => {
    const a = await newApplicant(h);
    made.push({ id: await submit(h, a, orgs), token: a.token });
    const strict = await startPlainApi(env, { deps: { integrityReadLimits: { perUser: 3, windowSeconds: 600 } } });
    try {
      // Its own tokens (another signing key than the suite's API).
      const signIn = async (username: string, password = 'demo') => (await strict.call('POST', '/v1/auth/login', { body: { username, password } })).body.token as string;
      const token = await signIn('g-approver');
      const userId = (await env.db('users').where({ username: 'g-approver' }).first('id')).id;
      await env.db('login_limits').where({ key: `read_integrity_record:${userId}` }).delete();
      const statuses = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await strict.call('GET', `/v1/integrity-records/${i % 2 ? newIdNumber() : a.idNumber}`, { token })).status);
      expect(statuses).to.deep.equal([200, 404, 200, 429, 429]);
      const limited = await strict.call('GET', `/v1/integrity-records/${a.idNumber}`, { token });
      expect(limited.body.error.message).to.match(/^too many integrity record reads; try again in \d+ minutes?$/);
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 600);
      // The person's own record is never limited.
      const own = await signIn(a.username, 'password-1');
      for (let i = 0; i < 5; i += 1) expect((await strict.call('GET', `/v1/integrity-records/${a.idNumber}`, { token: own })).status).to.equal(200);
    } finally {
      await strict.close();
    }
  });
});
