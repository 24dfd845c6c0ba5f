import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { testEnv, type TestEnv } from '../support/env';
import { ensureSchedules } from '../../scripts/lib/schedules';
import { LEDGER_SEALING_SCHEDULE_ID, ledgerSealing } from '../../workflows/ledger-sealing';
import { allocateBudget } from '../../db/ledger';
import { openFund } from '../support/funds';

describe('ledger sealing schedule', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it('is created once, every minute, running the sealing workflow on the task queue', async () => {
    const client = env.temporal.client;
    const taskQueue = `sealing-${randomUUID()}`;
    await ensureSchedules(client, taskQueue);
    await ensureSchedules(client, taskQueue); // a second start finds it and keeps it
    const schedule = client.schedule.getHandle(LEDGER_SEALING_SCHEDULE_ID);
    try {
      const d = await schedule.describe();
      expect(d.action.type).to.equal('startWorkflow');
      expect(d.action.workflowType).to.equal('ledgerSealing');
      expect(d.action.taskQueue).to.equal(taskQueue);
      expect(d.spec.intervals?.[0]?.every).to.equal(60_000);
    } finally {
      await schedule.delete();
    }
  });

  it('chains the entries committed so far when the workflow runs', async () => {
    const bureau = await env.db('organisations').where({ type: 'finance_bureau' }).first();
    const fund = await openFund(env.db, { bureauId: bureau.id, year: 2100 + (Date.now() % 90), name: 'sealing test fund' });
    const entry = await allocateBudget(env.adminDb, { fundId: fund.id, amount: '10.00', postedOn: '2026-01-05', idempotencyKey: `seal-test-${randomUUID()}` });
    const { worker, taskQueue } = await env.createWorker(env.temporal);
    const result = await worker.runUntil(env.temporal.client.workflow.execute(ledgerSealing, { taskQueue, workflowId: `seal-${randomUUID()}` }));
    expect(result.headHash).to.match(/^[0-9a-f]{64}$/);
    expect(await env.db('ledger_seals').whereRaw('? = any(entry_ids)', [entry.id]).first('id'), 'entry sealed into the chain').to.not.equal(undefined);
  });
});
