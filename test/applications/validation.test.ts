import { expect } from 'chai';
import type { TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness, type Applicant } from '../support/api';
import { applicationBody, type DemoOrgs } from './helpers';

/** Rows a rejected request must not have written. */
async function counts(env: TestEnv) {
  const n = async (t: string) => Number((await env.db(t).count<{ c: number }[]>('* as c'))[0]!.c);
  return { applications: await n('applications'), history: await n('application_history'), audit: await n('audit_log'), keys: await n('idempotency_keys') };
}

describe('input validation: 400 with the field path, and nothing written', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  let a: Applicant;
  before(async () => {
    ({ env, h, orgs } = await openApiSuite());
    a = await newApplicant(h);
  });
  after(async () => h?.close());

  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown field', { favouriteColour: 'red' }, 'favouriteColour'],
    ['a bad ID check digit', { idNumber: '220102199003070014' }, 'idNumber'],
    ['an ID number of the wrong length', { idNumber: '22010219900307' }, 'idNumber'],
    ['an amount with 3 decimals', { requestedAmount: '80000.001' }, 'requestedAmount'],
    ['an amount as a JSON number', { requestedAmount: 80000 }, 'requestedAmount'],
    ['a negative amount', { requestedAmount: '-80000.00' }, 'requestedAmount'],
    ['an amount above the band', { requestedAmount: '100000.01' }, 'requestedAmount'],
    ['an amount below the band', { requestedAmount: '49999.99' }, 'requestedAmount'],
    ['an unknown target group', { targetGroup: 'astronaut' }, 'targetGroup'],
    ['an unknown repayment method', { repaymentMethod: 'balloon' }, 'repaymentMethod'],
    ['a term beyond the policy', { termMonths: 25 }, 'termMonths'],
    ['a term below the policy', { termMonths: 5 }, 'termMonths'],
    ['a fractional term', { termMonths: 12.5 }, 'termMonths'],
    ['a community that is not a UUID', { communityId: 'nanguan' }, 'communityId'],
    ['a community that is not a community', { communityId: '__bank__' }, 'communityId'],
    ['a bad phone number', { phone: '12345' }, 'phone'],
    ['a missing business plan', { businessPlan: undefined }, 'businessPlan'],
  ];

  for (const [what, over, path] of bad) {
    it(`refuses ${what} (${path})`, async () => {
      if (over.communityId === '__bank__') over.communityId = orgs.bankA;
      const before = await counts(env);
      const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs, over), headers: { 'Idempotency-Key': `bad-${path}-${Date.now()}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      expect(r.body.error.code).to.equal('VALIDATION_FAILED');
      expect(r.body.error.details.map((d: { path: string }) => d.path)).to.include(path);
      expect(r.body.error.details.every((d: { message: string }) => d.message.length > 0)).to.equal(true);
      expect(await counts(env)).to.deep.equal(before);
    });
  }

  it('names every bad field at once', async () => {
    const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs, { requestedAmount: '1.234', targetGroup: 'x', termMonths: 'twelve' }) });
    expect(r.status).to.equal(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['requestedAmount', 'targetGroup', 'termMonths']);
  });

  it("refuses an application in someone else's name with 403", async () => {
    const other = await newApplicant(h);
    const before = await counts(env);
    const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(other, orgs) });
    expect(r.status).to.equal(403);
    expect(r.body.error.details[0].path).to.equal('idNumber');
    expect(await counts(env)).to.deep.equal(before);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await fetch(`${h.url}/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: '{"idNumber": ',
    });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');
  });

  it('refuses bad policy parameters with the path of each', async () => {
    const admin = await h.login('admin');
    const policies = await h.call('GET', '/v1/policies', { token: admin });
    const params = { ...policies.body.items.at(-1).params, guaranteeMin: '120000.00', lossSharing: { guaranteeFund: '0.8', bank: '0.3', guaranteeCompany: '0' }, bogus: 1 };
    const before = await env.db('policies').count<{ c: number }[]>('* as c');
    const r = await h.call('POST', '/v1/policies', { token: admin, body: { effectiveFrom: '2030-01-01', params } });
    expect(r.status).to.equal(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['params.bogus', 'params.guaranteeMin', 'params.lossSharing']);
    expect(await env.db('policies').count<{ c: number }[]>('* as c')).to.deep.equal(before);
  });
});
