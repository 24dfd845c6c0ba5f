import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { TestEnv } from '../support/env';
import { openApiSuite, type ApiHarness } from '../support/api';
import { submitNew, type DemoOrgs } from '../applications/helpers';
import { applicationStateQuery, applicationWorkflowId, counterGuaranteeUpdate } from '../../workflows/definitions';

/**
 * Whoever reaches the Temporal frontend can send a workflow an update naming any actor (compose no
 * longer publishes it). The record of a decision must then still name a real, active user with
 * the role and organisation it claims: an applicant dressed as a community officer is refused
 * with the change, and the application stays where it was.
 */
describe('a decision sent around the API, naming an actor that is not real', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  it('is refused with the change it would explain; the real officer then decides', async () => {
    const { a, id } = await submitNew(h, orgs);
    const handle = h.temporal.client.workflow.getHandle(applicationWorkflowId(id));
    const forged = { userId: a.userId, username: a.username, role: 'community_officer' as const, orgId: orgs.communityA };
    const err = await handle
      .executeUpdate(counterGuaranteeUpdate, { args: [{ decision: 'approve', type: 'credit_community', reason: 'approving myself' }, { actor: forged, requestId: randomUUID() }] })
      .then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((await handle.query(applicationStateQuery)).status).to.equal('AWAITING_COUNTER_GUARANTEE');
    expect(await env.db('audit_log').where({ entity_id: id, action: 'counter_guarantee.approve' })).to.have.length(0);
    const real = await h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await h.login('community-a'),
      body: { decision: 'approve', type: 'credit_community', reason: 'known in the community' },
    });
    expect(real.status, JSON.stringify(real.body)).to.equal(200);
  });
});
