import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import { submitNew, applicationBody, submit, today, type DemoOrgs } from './helpers';
import {
  applicationStateQuery,
  applicationWorkflowId,
  counterGuaranteeUpdate,
  intakeUpdate,
  type DecisionMeta,
} from '../../workflows/definitions';
import { loanApplication } from '../../workflows/application';

/**
 * Data PostgreSQL cannot store (a NUL character in text, SQLSTATE 22021) once wedged an application
 * for good: the activity retried forever, every later decision was "another decision is being
 * recorded", and the deadline never fired. The API now refuses such text at its door; behind it,
 * an activity refused by the database's data rules fails for good, and the workflow records the
 * incident and stays decidable. These tests go around the API, straight to the workflow.
 */
describe('bad data never wedges an application', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  const actor = async (username: string): Promise<DecisionMeta> => {
    const u = await env.db('users').where({ username }).first();
    return { actor: { userId: u.id, username: u.username, role: u.role, orgId: u.org_id }, requestId: randomUUID() };
  };

  it('a decision whose reason the database refuses fails at once (422); the next decision is recorded', async () => {
    const { a, id } = await submitNew(h, orgs);
    const handle = h.temporal.client.workflow.getHandle(applicationWorkflowId(id));
    const err = await handle
      .executeUpdate(counterGuaranteeUpdate, { args: [{ decision: 'approve', type: 'credit_community', reason: 'ok\u0000' }, await actor('community-a')] })
      .then(() => undefined, (e: Error) => e);
    expect(err, 'the update fails instead of retrying forever').to.be.instanceOf(Error);
    const state = await handle.query(applicationStateQuery);
    expect(state.status).to.equal('AWAITING_COUNTER_GUARANTEE');
    expect(state.incidents.map((i) => [i.step, i.type])).to.deep.equal([['counter_guarantee', 'UNPROCESSABLE']]);
    expect(state.incidents[0]!.message).to.match(/SQLSTATE 22021/);

    const next = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await h.login('community-a'),
      body: { decision: 'approve', type: 'credit_community', reason: 'family guarantee checked' },
    });
    expect(next.status, JSON.stringify(next.body)).to.equal(200);
    expect(next.body.status).to.equal('AWAITING_GUARANTEE_REVIEW');
  });

  it('a submission whose business plan the database refuses ends at intake with the reason, and nothing waits', async () => {
    const a = await newApplicant(h);
    const body = applicationBody(a, orgs, { businessPlan: 'A noodle shop near the university\u0000 with two employees.' });
    const applicationId = randomUUID();
    // Started with its intake, as the API does (update-with-start): a refused intake closes the
    // workflow in its first task, before a separate update could reach it.
    const start = new WithStartWorkflowOperation(loanApplication, {
      taskQueue: h.taskQueue,
      workflowId: applicationWorkflowId(applicationId),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      args: [({ ...(body as Record<string, unknown>), bankId: null, applicationId, applicantUserId: a.userId, submittedOn: today(), meta: await actor(a.username) }) as never],
    });
    const intake = await h.temporal.client.workflow.executeUpdateWithStart(intakeUpdate, { startWorkflowOperation: start });
    expect(intake.outcome).to.equal('failed');
    expect(intake.outcome === 'failed' && intake.message).to.match(/SQLSTATE 22021/);
    const handle = await start.workflowHandle();
    const done = await handle.result();
    expect(done.incidents.map((i) => i.step)).to.deep.equal(['intake']);
    expect(await env.db('applications').where({ id: applicationId })).to.have.length(0);
    // The person may apply again at once.
    await submit(h, a, orgs);
  });
});
