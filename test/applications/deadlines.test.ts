import { expect } from 'chai';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestEnv } from '../support/env';
import { openApiSuite, type ApiHarness } from '../support/api';
import { submitNew, advance, type DemoOrgs } from './helpers';
import { applicationWorkflowId } from '../../workflows/definitions';

const DAY = 24 * 3600 * 1000;

describe('application deadlines (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true })));
  after(async () => h?.close());

  const cases = [
    { step: 'counter_guarantee', days: 10, before: undefined },
    { step: 'guarantee_review', days: 15, before: 'counter-guarantee' },
    { step: 'guarantee_approval', days: 15, before: 'guarantee-review' },
    { step: 'disbursal', days: 30, before: 'guarantee-approval' },
  ] as const;

  for (const c of cases) {
    it(`reminds at half of the ${c.days}-day ${c.step} deadline and ends EXPIRED at the deadline`, async () => {
      const { a, id } = await submitNew(h, orgs);
      if (c.before) await advance(h, id, c.before);
      // Waiting on the result lets the test server skip time through the timers.
      const final = await skipping.client.workflow.getHandle(applicationWorkflowId(id)).result();
      expect(final.status).to.equal('EXPIRED');

      const row = await env.db('applications').where({ id }).first();
      expect(row.status).to.equal('EXPIRED');
      expect(row.end_reason).to.equal(`no ${c.step.replace(/_/g, ' ')} decision within ${c.days} days`);
      const history = await env.db('application_history').where({ application_id: id }).orderBy('id');
      const entered = history.at(-3)!; // the step that opened the wait
      const reminder = history.at(-2)!;
      const expiry = history.at(-1)!;
      expect(reminder.step).to.equal(`${c.step}_reminder`);
      expect(expiry.decision).to.equal('expired');
      expect(reminder.at.getTime() - entered.at.getTime()).to.be.closeTo((c.days / 2) * DAY, 60_000);
      expect(expiry.at.getTime() - entered.at.getTime()).to.be.closeTo(c.days * DAY, 60_000);
      const audit = await env.db('audit_log').where({ entity_type: 'application', entity_id: id, action: `${c.step}.expire` });
      expect(audit).to.have.length(1);
      expect(audit[0].actor_username).to.equal('system');
    });
  }

  it('does not expire a step decided just before its deadline', async () => {
    const { a, id } = await submitNew(h, orgs);
    await skipping.sleep(9 * DAY);
    const r = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await h.login('community-a'),
      body: { decision: 'approve', type: 'credit_community', reason: 'just in time' },
    });
    expect(r.status).to.equal(200);
    expect(r.body.status).to.equal('AWAITING_GUARANTEE_REVIEW');
    const reminders = await env.db('application_history').where({ application_id: id, step: 'counter_guarantee_reminder' });
    expect(reminders).to.have.length(1);
  });
});
