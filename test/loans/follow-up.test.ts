import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestEnv } from '../support/env';
import { newApplicant, openApiSuite, type ApiHarness } from '../support/api';
import { submit, type DemoOrgs } from '../applications/helpers';
import { serverToday, skipTo } from './helpers';
import { addDays, addMonthsClamped } from '../../domain/dates';
import { defaultPolicyParams, type PolicyParams } from '../../domain/policy';
import { usccCheckChar } from '../../domain/follow-up';
import { followUpVisitUpdate, followUpWorkflowId } from '../../workflows/definitions';
import { refusalOf } from '../support/refusal';

/**
 * Follow-up visits end to end on the time-skipping server: the schedule a disbursal starts, the
 * reminder and the overdue mark in the officers' tasks, visits recorded through the API (roles,
 * validation, idempotency, the database's refusals), and the indicator report's figures against
 * a calculation of their own from what the test recorded.
 */
describe('follow-up visits: due, overdue, recorded; the indicators from them (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  // The API's "today" is the server's once the test has read it (never at file load).
  let serverNow: number | undefined;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true, now: () => new Date(serverNow ?? Date.now()) })));
  after(async () => h?.close());

  const sync = async () => {
    serverNow = await skipping.currentTimeMs();
  };
  const moveTo = async (date: string) => {
    await skipTo(skipping, date);
    await sync();
  };

  /** A credit community of its own with one officer, so a report grouped by community holds only this test's loans. */
  async function newCommunity() {
    const tag = randomUUID().slice(0, 8);
    const [org] = await env.db('organisations').insert({ type: 'community', name: `Follow-up community ${tag}`, region: 'Changchun' }).returning('id');
    const username = `community-${tag}`;
    const r = await h.call('POST', '/v1/users', { token: await h.login('admin'), body: { username, password: 'demo-password', role: 'community_officer', orgId: org.id } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return { id: org.id as string, token: await h.login(username, 'demo-password') };
  }

  /** A loan of the community, through every step, disbursed on the server's today. */
  async function openIn(community: { id: string; token: string }) {
    await sync();
    const on = await serverToday(skipping);
    // The server may be years ahead of the wall clock (earlier files skip time): certified on its
    // today, and 30 years old then.
    const applicant = await newApplicant(h, { issuedOn: on, birth: `${Number(on.slice(0, 4)) - 30}0101` });
    const applicationId = await submit(h, applicant, orgs, { communityId: community.id, requestedAmount: '60000.00', termMonths: 12 });
    const steps: Array<[string, string, unknown]> = [
      ['counter-guarantee', community.token, { decision: 'approve', type: 'credit_community', reason: 'known to us' }],
      ['guarantee-review', await h.login('g-reviewer'), { recommendation: 'approve', amount: '60000.00', reason: 'sound' }],
      ['guarantee-approval', await h.login('g-approver'), { decision: 'approve', amount: '60000.00', reason: 'approved' }],
      ['disbursal', await h.login('bank-a'), { contractNo: `F-${applicationId.slice(0, 8)}`, amount: '60000.00', annualRate: '0.0435', disbursedOn: on, bankReference: `FD-${applicationId.slice(0, 8)}` }],
    ];
    let loanId = '';
    for (const [path, token, body] of steps) {
      const r = await h.call('POST', `/v1/applications/${applicationId}/${path}`, { token, body });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(200);
      loanId = r.body.loanId ?? loanId;
    }
    return { loanId, disbursedOn: on };
  }

  const visit = (token: string, loanId: string, body: Record<string, unknown>, key: string = randomUUID()) =>
    h.call('POST', `/v1/loans/${loanId}/follow-up-visits`, { token, body, headers: { 'idempotency-key': key } });
  const followUpOf = async (loanId: string, token: string) => (await h.call('GET', `/v1/loans/${loanId}/follow-up`, { token })).body;
  /** The follow-up tasks of a loan among all of the caller's, page by page (other files' loans share the guarantee company). */
  const tasksOf = async (token: string, loanId: string) => {
    const found: any[] = [];
    for (let page = 1; ; page++) {
      const r = await h.call('GET', `/v1/tasks?pageSize=200&page=${page}`, { token });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      found.push(...(r.body.items as any[]).filter((t) => t.kind === 'follow_up_visit' && t.loanId === loanId));
      if (page * 200 >= r.body.total) return found;
    }
  };
  const audits = (loanId: string, action: string) => env.db('audit_log').where({ entity_type: 'loan', entity_id: loanId, action });

  it('reminds at the due date, shows the visit overdue after its days, records it once, and the database keeps it', async () => {
    const community = await newCommunity();
    const { loanId, disbursedOn } = await openIn(community);
    const due3 = addMonthsClamped(disbursedOn, 3);
    const reviewer = await h.login('g-reviewer');

    await moveTo(addDays(due3, -1));
    const before = await followUpOf(loanId, community.token);
    expect(before.visits.map((v: any) => [v.months, v.dueOn, v.overdueOn, v.state])).to.deep.equal(
      [3, 6, 12].map((m) => [m, addMonthsClamped(disbursedOn, m), addDays(addMonthsClamped(disbursedOn, m), 31), 'scheduled']),
    );
    expect(await tasksOf(community.token, loanId)).to.deep.equal([]);
    expect(await audits(loanId, 'follow_up.reminder')).to.have.length(0);
    const early = await visit(community.token, loanId, { months: 3, visitedOn: addDays(due3, -1), operatingStatus: 'operating', employees: 2 });
    expect(early.status, JSON.stringify(early.body)).to.equal(400);
    expect(early.body.error.details).to.deep.equal([{ path: 'months', message: `the 3-month visit is not due until ${due3}` }]);

    // Due: reminded, in the tasks of the community's officer and the guarantee company's, not another community's.
    await moveTo(due3);
    const due = await tasksOf(community.token, loanId);
    expect(due.map((t) => [t.months, t.dueOn, t.overdue])).to.deep.equal([[3, due3, false]]);
    expect((await tasksOf(reviewer, loanId)).map((t) => t.months)).to.deep.equal([3]);
    expect(await tasksOf(await h.login('community-a'), loanId)).to.deep.equal([]);
    expect(await audits(loanId, 'follow_up.reminder')).to.have.length(1);

    // The day before the overdue day it is still due; on it, overdue in the tasks, on the loan and in the audit trail.
    await moveTo(addDays(due3, 30));
    expect((await tasksOf(community.token, loanId))[0].overdue).to.equal(false);
    await moveTo(addDays(due3, 31));
    expect((await tasksOf(community.token, loanId))[0].overdue).to.equal(true);
    expect((await followUpOf(loanId, reviewer)).visits[0].state).to.equal('overdue');
    expect(await audits(loanId, 'follow_up.overdue')).to.have.length(1);

    // Refused, writing nothing: another community's officer, a bank, bad fields.
    const body = { months: 3, visitedOn: addDays(due3, 2), operatingStatus: 'operating', employees: 3, businessRegistrationNo: '91350100M000100Y43', note: 'shop open, two hires' };
    expect((await visit(await h.login('community-a'), loanId, body)).status).to.equal(403);
    expect((await visit(await h.login('bank-a'), loanId, body)).status).to.equal(403);
    const bad = await visit(community.token, loanId, { ...body, employees: 0, businessRegistrationNo: '91350100M000100Y44' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).to.deep.equal(['businessRegistrationNo', 'employees']);
    expect(await env.db('follow_up_visits').where({ loan_id: loanId })).to.have.length(0);
    // Sent around the API, naming someone who is no community officer there: refused with the visit.
    const forged = { userId: (await env.db('users').where({ username: 'applicant' }).first('id')).id, username: 'applicant', role: 'community_officer' as const, orgId: community.id };
    const around = await h.temporal.client.workflow.getHandle(followUpWorkflowId(loanId))
      .executeUpdate(followUpVisitUpdate, { args: [{ ...body, businessRegistrationNo: null, note: '' } as never, { actor: forged, requestId: randomUUID() }] })
      .then(() => 'accepted', (e: Error) => e.constructor.name);
    expect(around).to.not.equal('accepted');
    expect(await env.db('follow_up_visits').where({ loan_id: loanId })).to.have.length(0);

    // Recorded (late: after its overdue day), once under a retried key; a second visit of the month is a conflict.
    const key = randomUUID();
    const first = await visit(community.token, loanId, body, key);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.visits[0]).to.deep.include({ state: 'recorded' });
    expect(first.body.visits[0].visit).to.deep.include({ visitedOn: addDays(due3, 2), operatingStatus: 'operating', employees: 3, businessRegistrationNo: '91350100M000100Y43', late: true, recordedRole: 'community_officer' });
    const again = await visit(community.token, loanId, body, key);
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect((await visit(reviewer, loanId, body)).status).to.equal(409);
    expect(await env.db('follow_up_visits').where({ loan_id: loanId })).to.have.length(1);
    expect(await audits(loanId, 'follow_up.visit')).to.have.length(1);
    expect(await tasksOf(community.token, loanId)).to.deep.equal([]);

    // The application's role cannot change or remove a visit, nor move a due date.
    expect(await refusalOf(env.db('follow_up_visits').where({ loan_id: loanId }).update({ employees: 30 }))).to.match(/permission denied|not allowed/);
    expect(await refusalOf(env.db('follow_up_visits').where({ loan_id: loanId }).delete())).to.match(/permission denied|not allowed/);
    expect(await refusalOf(env.db('follow_up_schedule').where({ loan_id: loanId, months: 6 }).update({ due_on: addDays(due3, 300) }))).to.match(/keeps its dates/);
  });

  it('takes the months of the policy version the application was submitted under', async () => {
    await sync();
    const admin = await h.login('admin');
    const effectiveFrom = await serverToday(skipping);
    const set = async (params: PolicyParams) => expect((await h.call('POST', '/v1/policies', { token: admin, body: { effectiveFrom, params } })).status).to.equal(201);
    const community = await newCommunity();
    await set({ ...defaultPolicyParams, followUpMonths: [2, 9], followUpVisitDays: 10 });
    let opened;
    try {
      opened = await openIn(community);
    } finally {
      await set({ ...defaultPolicyParams });
    }
    await moveTo(addMonthsClamped(opened.disbursedOn, 2));
    const f = await followUpOf(opened.loanId, community.token);
    expect(f.visits.map((v: any) => [v.months, v.overdueOn])).to.deep.equal([2, 9].map((m) => [m, addDays(addMonthsClamped(opened.disbursedOn, m), 11)]));
  });

  it('computes survival at one year and jobs per business per community, as a calculation of its own from the visits', async () => {
    const community = await newCommunity();
    const loans: Array<{ loanId: string; disbursedOn: string }> = [];
    for (let i = 0; i < 4; i++) loans.push(await openIn(community));
    const d = loans[0]!.disbursedOn;
    expect(loans.every((l) => l.disbursedOn === d)).to.equal(true);
    const due = (m: number) => addMonthsClamped(d, m);
    const uscc = (n: number) => {
      const first = `9122010${String(n).padStart(10, '0')}`;
      return first + usccCheckChar(first);
    };
    // What each business was found doing at each visit (the fourth is never visited at 12 months).
    const plan: Array<Record<number, { operatingStatus: string; employees: number; businessRegistrationNo?: string }>> = [
      { 3: { operatingStatus: 'operating', employees: 2 }, 6: { operatingStatus: 'operating', employees: 4 }, 12: { operatingStatus: 'operating', employees: 7 } },
      { 3: { operatingStatus: 'operating', employees: 1 }, 6: { operatingStatus: 'suspended', employees: 1 }, 12: { operatingStatus: 'closed', employees: 0 } },
      { 3: { operatingStatus: 'operating', employees: 3 }, 6: { operatingStatus: 'operating', employees: 5, businessRegistrationNo: uscc(3) }, 12: { operatingStatus: 'moved', employees: 6, businessRegistrationNo: uscc(3) } },
      { 3: { operatingStatus: 'operating', employees: 2 }, 6: { operatingStatus: 'operating', employees: 2 } },
    ];
    const recorded: Array<{ loan: number; months: number; visitedOn: string; operatingStatus: string; employees: number }> = [];
    for (const months of [3, 6, 12]) {
      await moveTo(addDays(due(months), 3));
      for (const [i, l] of loans.entries()) {
        const v = plan[i]![months];
        if (!v) continue;
        const visitedOn = addDays(due(months), i % 2 === 0 ? 1 : 3);
        const r = await visit(community.token, l.loanId, { months, visitedOn, ...v });
        expect(r.status, JSON.stringify(r.body)).to.equal(201);
        recorded.push({ loan: i, months, visitedOn, ...v });
      }
    }
    await moveTo(addDays(due(12), 40));

    /** The indicators for a period, from what was recorded: survival by the first visit on or after the anniversary, jobs by each business's latest visit in the period. */
    const expected = (from: string, to: string) => {
      const anniversary = due(12);
      const reaching = anniversary >= from && anniversary <= to ? loans.length : 0;
      const firstAtOneYear = loans.map((_, i) => recorded.filter((r) => r.loan === i && r.visitedOn >= anniversary).sort((a, b) => a.visitedOn.localeCompare(b.visitedOn))[0]);
      const visited = reaching ? firstAtOneYear.filter(Boolean) : [];
      const operating = visited.filter((r) => r!.operatingStatus === 'operating').length;
      const latest = loans.map((_, i) => recorded.filter((r) => r.loan === i && r.visitedOn >= from && r.visitedOn <= to).sort((a, b) => b.visitedOn.localeCompare(a.visitedOn))[0]).filter(Boolean);
      const jobs = latest.reduce((s, r) => s + r!.employees, 0);
      const share = visited.length ? new Decimal(operating).div(visited.length).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4) : null;
      const perBusiness = latest.length ? new Decimal(jobs).div(latest.length).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) : null;
      return {
        businesses_one_year: reaching,
        businesses_visited_one_year: visited.length,
        businesses_operating_one_year: operating,
        businesses_operating_after_one_year: share,
        businesses_operating_after_one_year_met: share === null ? null : new Decimal(share).gte('0.8'),
        businesses_visited: latest.length,
        jobs,
        jobs_per_business: perBusiness,
        jobs_per_business_met: perBusiness === null ? null : new Decimal(perBusiness).gte(5),
        loans_disbursed: d >= from && d <= to ? loans.length : 0,
      };
    };
    const report = async (from: string, to: string) => {
      const r = await h.call('GET', `/v1/reports/kpi?from=${from}&to=${to}&groupBy=community`, { token: await h.login('auditor') });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.rows.find((x: any) => x.key === community.id)?.values;
    };
    for (const [from, to] of [
      [d, addDays(due(6), 10)], // the first two visits: nobody a year old yet
      [addDays(due(6), 11), addDays(due(12), 40)], // the year's end: 4 reaching it, 3 visited, 1 operating
      [due(12), due(12)], // the anniversary alone: the visits after it still tell the business's state
    ] as const) {
      const got = await report(from, to);
      const want = expected(from, to);
      expect(got, `${from}..${to}`).to.include(want);
    }
    // Written out once, so a wrong calculation above cannot hide a wrong report: 1 of 3 operating, 13 jobs in 3 businesses.
    expect(await report(addDays(due(6), 11), addDays(due(12), 40))).to.include({
      businesses_one_year: 4, businesses_visited_one_year: 3, businesses_operating_one_year: 1,
      businesses_operating_after_one_year: '0.3333', businesses_operating_after_one_year_met: false,
      businesses_visited: 3, jobs: 13, jobs_per_business: '4.33', jobs_per_business_met: false,
    });
  });
});
