import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';

/**
 * Who checks a training claim, as the hostile application role: a claim names the role that checks
 * it, and since the labour officer exists a new claim names `labour_officer` (docs/programmes.md).
 * Only claims filed before that role existed name `finance_officer`; a new one naming it would let a
 * finance officer check a class and a finance approver pay it, with no one from the labour bureau.
 */
describe('attack: a new training claim naming the finance officer as its checker, as the application role', function () {
  let db: Knex;
  let demo: Record<string, unknown>;
  const userId = async (username: string) => (await db('users').where({ username }).first('id')).id as string;
  const claim = (checkerRole: string) => {
    const id = randomUUID();
    return {
      // No lines: it is checked at what they sum to (training_claims_amount).
      ...demo, id, workflow_id: `training-claim-${id}`, class_ref: `CHECKER-${id.slice(0, 8)}`, status: 'FILED', checker_role: checkerRole, amount: '0.00',
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
    };
  };

  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase('attack_claim_checker', { seed: true })).db;
    demo = await db('training_claims').first();
  });
  after(async () => db?.destroy());

  it('refuses to insert a claim whose checker is the finance officer', async () => {
    const row = claim('finance_officer');
    const e = await db('training_claims').insert(row).then(() => null, (err: { code?: string; message: string }) => err);
    expect(e, 'inserted').to.not.equal(null);
    expect(e).to.include({ code: '23514' });
    expect(e!.message).to.contain('labour_officer');
    expect(await db('training_claims').where({ id: row.id }).first()).to.equal(undefined);
  });

  it('refuses to insert a claim already checked or decided, which no check by the named role made', async () => {
    for (const change of [{ checked_by: await userId('fin-officer'), check_decision: 'accept' }, { decided_by: await userId('fin-approver') }]) {
      const row = { ...claim('labour_officer'), ...change };
      const e = await db('training_claims').insert(row).then(() => null, (err: { code?: string }) => err);
      expect(e, `inserted with ${Object.keys(change)[0]}`).to.not.equal(null);
      expect(e).to.include({ code: '23514' });
    }
  });

  it('inserts a claim the labour officer checks', async () => {
    const row = claim('labour_officer');
    await db('training_claims').insert(row);
    expect((await db('training_claims').where({ id: row.id }).first('checker_role')).checker_role).to.equal('labour_officer');
  });

  it('leaves a claim filed before the labour officer existed to the finance officer, who still checks it', async () => {
    // Stored before the guard, as the migration that added the labour officer left such claims.
    const row = claim('finance_officer');
    await adminOf(db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('training_claims').insert(row);
    });
    await db('training_claims').where({ id: row.id }).update({ status: 'CHECKED', checked_by: await userId('fin-officer'), check_decision: 'accept' });
    expect(await db('training_claims').where({ id: row.id }).first('status', 'checker_role')).to.deep.equal({ status: 'CHECKED', checker_role: 'finance_officer' });
  });
});
