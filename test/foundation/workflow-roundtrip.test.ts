import { expect } from 'chai';
import { testEnv, type TestEnv } from '../support/env';
import { systemCheck } from '../../workflows';

describe('Temporal round trip (real servers)', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it('runs a workflow whose activity reads the test database, on the dev server', async () => {
    const { worker, taskQueue } = await env.createWorker(env.temporal);
    const result = await worker.runUntil(
      env.temporal.client.workflow.execute(systemCheck, { taskQueue, workflowId: `system-check-${taskQueue}` }),
    );
    expect(result.workflow).to.equal('ok');
    expect(result.database).to.equal('loanflow_test');
    expect(Date.parse(result.databaseTime)).to.be.closeTo(Date.now(), 60_000);
  });

  it('runs the same workflow on the time-skipping test server', async () => {
    const skipping = await env.timeSkipping();
    expect(skipping.supportsTimeSkipping).to.equal(true);
    const { worker, taskQueue } = await env.createWorker(skipping);
    const result = await worker.runUntil(
      skipping.client.workflow.execute(systemCheck, { taskQueue, workflowId: `system-check-${taskQueue}` }),
    );
    expect(result.database).to.equal('loanflow_test');
  });
});
