import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { workflowWorld, type WorkflowWorld } from './harness';
import { housekeeping, ledgerSealing, systemCheck } from '../../workflows';

/**
 * The small workflows a schedule or a health check starts: each calls one activity and answers
 * with what it said; a fault that heals is retried, one that does not fails the run after three
 * attempts (so a schedule's next run starts clean instead of one run retrying for ever).
 */
describe('workflow unit: scheduled sealing, housekeeping and the system check (activities in memory)', function () {
  let world: WorkflowWorld;
  /** How many calls of each activity fail before one answers. */
  const failuresLeft = new Map<string, number>();
  const calls = new Map<string, number>();
  const answer = <T>(name: string, value: T) => async (): Promise<T> => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const left = failuresLeft.get(name) ?? 0;
    if (left > 0) {
      failuresLeft.set(name, left - 1);
      throw new Error(`${name}: the database is restarting`);
    }
    return value;
  };

  before(async () => {
    world = await workflowWorld({
      purgeIdempotencyKeys: answer('purgeIdempotencyKeys', 42),
      ledgerSeal: answer('ledgerSeal', { seals: 1, entries: 7, headHash: 'ab'.repeat(32) }),
      databaseTime: answer('databaseTime', { now: '2026-12-06T03:00:00.000Z', database: 'PostgreSQL 16' }),
    } as never);
  });
  after(async () => world?.close());
  beforeEach(() => {
    failuresLeft.clear();
    calls.clear();
  });

  const run = <A>(wf: () => Promise<A>) =>
    world.env.client.workflow.execute(wf, { taskQueue: world.taskQueue, workflowId: `scheduled-unit-${randomUUID()}` });

  it('housekeeping answers how many expired idempotency keys were purged', async () => {
    expect(await run(housekeeping)).to.deep.equal({ idempotencyKeysPurged: 42 });
    expect(calls.get('purgeIdempotencyKeys')).to.equal(1);
  });

  it('sealing answers what the seal chained: seals, entries and the head hash', async () => {
    expect(await run(ledgerSealing)).to.deep.equal({ seals: 1, entries: 7, headHash: 'ab'.repeat(32) });
  });

  it('the system check answers the database and its time, through a real activity task', async () => {
    expect(await run(systemCheck)).to.deep.equal({ workflow: 'ok', database: 'PostgreSQL 16', databaseTime: '2026-12-06T03:00:00.000Z' });
  });

  it('retries a fault that heals: two failed seals, then the third answers', async () => {
    failuresLeft.set('ledgerSeal', 2);
    expect((await run(ledgerSealing)).entries).to.equal(7);
    expect(calls.get('ledgerSeal')).to.equal(3);
  });

  it('gives up after three attempts, so the next scheduled run starts clean', async () => {
    failuresLeft.set('purgeIdempotencyKeys', 5);
    let failure: unknown;
    try {
      await run(housekeeping);
    } catch (e) {
      failure = e;
    }
    expect(failure).to.be.instanceOf(WorkflowFailedError);
    expect(calls.get('purgeIdempotencyKeys')).to.equal(3);
  });
});
