import { expect } from 'chai';
import type { ApiHarness, Applicant } from '../support/api';
import type { TestEnv } from '../support/env';

import { demoOrgs, newApplicant, type DemoOrgs } from '../support/api';

export { demoOrgs, type DemoOrgs };

export function applicationBody(a: Applicant, orgs: DemoOrgs, over: Record<string, unknown> = {}) {
  return {
    idNumber: a.idNumber,
    name: a.name,
    phone: '13900000000',
    targetGroup: 'college_graduate',
    certificateNo: a.certificateNo,
    communityId: orgs.communityA,
    requestedAmount: '80000.00',
    termMonths: 12,
    repaymentMethod: 'monthly_interest_bullet',
    businessPlan: 'A small noodle shop near the university, two employees in the first year.',
    ...over,
  };
}

export function today(): string {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

/** Submits and expects the intake to pass. */
export async function submit(h: ApiHarness, a: Applicant, orgs: DemoOrgs, over: Record<string, unknown> = {}): Promise<string> {
  const r = await h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs, over) });
  expect(r.status, JSON.stringify(r.body)).to.equal(201);
  expect(r.body.status, JSON.stringify(r.body)).to.equal('AWAITING_COUNTER_GUARANTEE');
  return r.body.id;
}

/** A new applicant (holding a certificate) and the application they submitted. */
export async function submitNew(h: ApiHarness, orgs: DemoOrgs, over: Record<string, unknown> = {}): Promise<{ a: Applicant; id: string }> {
  const a = await newApplicant(h);
  return { a, id: await submit(h, a, orgs, over) };
}

/** Moves an application forward through the officers' steps, up to and including `until`. */
export async function advance(
  h: ApiHarness,
  id: string,
  until: 'counter-guarantee' | 'guarantee-review' | 'guarantee-approval' | 'disbursal',
  amount = '80000.00',
): Promise<any> {
  const steps: Array<[string, string, unknown]> = [
    ['counter-guarantee', 'community-a', { decision: 'approve', type: 'credit_community', reason: 'good standing in the community' }],
    ['guarantee-review', 'g-reviewer', { recommendation: 'approve', amount, reason: 'sound plan' }],
    ['guarantee-approval', 'g-approver', { decision: 'approve', amount, reason: 'approved' }],
    ['disbursal', 'bank-a', { contractNo: `C-${id.slice(0, 8)}`, amount, annualRate: '0.0435', disbursedOn: today(), bankReference: `REF-${id.slice(0, 8)}` }],
  ];
  let last: any;
  for (const [path, user, body] of steps) {
    const r = await h.call('POST', `/v1/applications/${id}/${path}`, { token: await h.login(user), body });
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(200);
    last = r.body;
    if (path === until) break;
  }
  return last;
}
