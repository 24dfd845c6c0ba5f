import { expect } from 'chai';
import { testEnv, type TestEnv } from '../support/env';
import { startApi, newApplicant, type ApiHarness } from '../support/api';
import { randomUUID } from 'node:crypto';
import { submitNew, demoOrgs, submit, advance, applicationBody, today, type DemoOrgs } from './helpers';
import { createActivities } from '../../activities';
import { systemClock } from '../../activities/clock';

describe('a worker stopped in the middle of an application', () => {
  let env: TestEnv;
  let orgs: DemoOrgs;

  before(async () => {
    env = await testEnv();
    orgs = await demoOrgs(env);
  });

  it('resumes from history on a new worker: the pending decision lands once, nothing is lost', async () => {
    const h: ApiHarness = await startApi(env);
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'counter-guarantee');

    // Stop the worker; the reviewer's decision is sent while no worker runs.
    h.worker.shutdown();
    const token = await h.login('g-reviewer');
    const pending = h.call('POST', `/v1/applications/${id}/guarantee-review`, {
      token,
      body: { recommendation: 'approve', amount: '75000.00', reason: 'sent during the outage' },
    });
    // A fresh worker (new process state, same task queue) picks the workflow up from its history.
    const { worker } = await env.createWorker(h.temporal, { taskQueue: h.taskQueue });
    const running = worker.run();
    try {
      const r = await pending;
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.status).to.equal('AWAITING_GUARANTEE_APPROVAL');
      const approval = await h.call('POST', `/v1/applications/${id}/guarantee-approval`, {
        token: await h.login('g-approver'),
        body: { decision: 'approve', amount: '75000.00', reason: 'ok' },
      });
      expect(approval.body.status).to.equal('AWAITING_DISBURSAL');
    } finally {
      worker.shutdown();
      await running;
      await h.close().catch(() => undefined);
    }
    const steps = (await env.db('application_history').where({ application_id: id }).orderBy('id')).map((r) => r.step);
    expect(steps).to.deep.equal(['submission', 'intake_check', 'counter_guarantee', 'guarantee_review', 'guarantee_approval']);
    const audits = await env.db('audit_log').where({ entity_id: id }).select('action');
    expect(audits.filter((x) => x.action === 'guarantee_review.approve')).to.have.length(1);
  });

  it('an activity retried after it committed writes nothing twice', async () => {
    const h = await startApi(env);
    const { a, id } = await submitNew(h, orgs);
    await h.close();
    const acts = createActivities({ db: env.db, clock: systemClock });
    const step = {
      key: `retry-test:${id}:1:counter_guarantee`,
      applicationId: id,
      step: 'counter_guarantee',
      decision: 'approved',
      at: new Date().toISOString(),
      actor: null,
      reason: 'retried',
      status: 'AWAITING_GUARANTEE_REVIEW' as const,
      audit: { action: 'counter_guarantee.approve', requestId: 'r-1' },
    };
    await acts.recordStep(step);
    await acts.recordStep(step);
    expect(await env.db('application_history').where({ idempotency_key: step.key })).to.have.length(1);
    expect(await env.db('audit_log').where({ idempotency_key: step.key })).to.have.length(1);
  });

  it('the intake retried after it committed answers the same and writes nothing twice', async () => {
    const h = await startApi(env);
    const a = await newApplicant(h);
    await h.close();
    const acts = createActivities({ db: env.db, clock: systemClock });
    const applicationId = randomUUID();
    const input = {
      ...(applicationBody(a, orgs) as Omit<Parameters<typeof acts.intake>[0], 'bankId'>),
      bankId: null,
      applicationId,
      applicantUserId: a.userId,
      submittedOn: today(),
      meta: { actor: { userId: a.userId, username: a.username, role: 'applicant' as const, orgId: null }, requestId: randomUUID() },
      key: `retry-test:${applicationId}:0:submitted`,
      checkKey: `retry-test:${applicationId}:1:intake_check`,
      nowMs: Date.now(),
    };
    const first = await acts.intake(input);
    expect(first).to.include({ ok: true });
    expect(await acts.intake(input)).to.deep.equal(first);
    const history = await env.db('application_history').where({ application_id: applicationId }).orderBy('id');
    expect(history.map((x) => `${x.step}:${x.decision}`)).to.deep.equal(['submission:submitted', 'intake_check:passed']);
    const audits = await env.db('audit_log').where({ entity_id: applicationId }).orderBy('id');
    expect(audits.map((x) => x.action)).to.deep.equal(['application.submit', 'application.intake_pass']);
    expect((await env.db('applications').where({ id: applicationId }).first()).status).to.equal('AWAITING_COUNTER_GUARANTEE');
    // Leaves nothing waiting for later tests.
    await env.db('applications').where({ id: applicationId }).update({ status: 'WITHDRAWN' });
  });
});
