import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { useOwnDatabase, refusal } from './own-database';

/**
 * A programme claim inserted past its filing, as the hostile application role: the status guard
 * holds a claim's moves from FILED onwards, but a row inserted already CHECKED (or PAID) never
 * passed the check it claims. Demo-seeded: a paid high-tech reward of a demo enterprise, and a paid
 * training class.
 */
describe('attack: a programme claim inserted already checked or paid, as the application role', function () {
  let db: Knex;

  useOwnDatabase('attack_inserted_claims', (d) => (db = d));

  it('refuses an incubator reward inserted CHECKED, or PAID, and writes nothing', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID' }).first();
    const officer = await db('users').where({ username: 'fin-officer' }).first('id');
    // Another enterprise, so the once-per-event key does not refuse it first; payment references of its own.
    const other = await db('incubated_enterprises').whereNot({ id: paid.enterprise_id }).first();
    const copy = () => {
      const id = randomUUID();
      return {
        ...paid, id, workflow_id: `incubator-reward-${id}`, enterprise_id: other.id, incubator_id: other.incubator_id, document_no: `INSERTED-${id.slice(0, 8)}`,
        operator_payment_ref: randomUUID(), enterprise_payment_ref: randomUUID(),
      };
    };
    const checked = { ...copy(), status: 'CHECKED', checked_by: officer.id, check_decision: 'accept', decided_by: null, fund_id: null, paid_on: null, operator_entry_id: null, enterprise_entry_id: null };
    const alreadyPaid = copy();
    for (const row of [checked, alreadyPaid]) {
      const e = await refusal(db('incubator_reward_claims').insert(row));
      expect(e, `inserted ${row.status}`).to.not.equal(null);
      expect(e!.code, e!.message).to.equal('42501');
      expect(await db('incubator_reward_claims').where({ id: row.id }).first()).to.equal(undefined);
    }
  });

  it('refuses a training claim inserted PAID, and writes nothing', async () => {
    const paid = await db('training_claims').where({ status: 'PAID' }).first();
    const id = randomUUID();
    const row = { ...paid, id, workflow_id: `training-claim-${id}`, class_ref: `INSERTED-${id.slice(0, 8)}`, checker_role: 'labour_officer', checked_by: null, decided_by: null };
    const e = await refusal(db('training_claims').insert(row));
    expect(e, 'inserted PAID').to.not.equal(null);
    expect(await db('training_claims').where({ id }).first()).to.equal(undefined);
  });

  it('moves a filed reward on only as someone decides it, and pays it only with payouts made for it', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID' }).first();
    const officer = await db('users').where({ username: 'fin-officer' }).first('id');
    const approver = await db('users').where({ username: 'fin-approver' }).first('id');
    const other = await db('incubated_enterprises').whereNot({ id: paid.enterprise_id }).orderBy('name', 'desc').first();
    const id = randomUUID();
    await db('incubator_reward_claims').insert({
      ...paid, id, workflow_id: `incubator-reward-${id}`, enterprise_id: other.id, incubator_id: other.incubator_id, kind: 'neeq_transfer', exchange: 'neeq',
      document_no: `MOVED-${id.slice(0, 8)}`, operator_payment_ref: randomUUID(), enterprise_payment_ref: randomUUID(), status: 'FILED',
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, operator_entry_id: null, enterprise_entry_id: null,
    });
    const claim = () => db('incubator_reward_claims').where({ id });
    expect((await refusal(claim().update({ status: 'CHECKED' })))?.code, 'CHECKED by no one').to.equal('42501');
    await claim().update({ status: 'CHECKED', checked_by: officer.id, check_decision: 'accept' });
    expect((await refusal(claim().update({ status: 'REJECTED', decision_reason: 'x' })))?.code, 'REJECTED by no one').to.equal('42501');
    await claim().update({ decided_by: approver.id });
    // The demo reward's own payouts, named by this claim: paid from entries made for another claim.
    const borrowed = await refusal(claim().update({ status: 'PAID', fund_id: paid.fund_id, paid_on: paid.paid_on, operator_entry_id: paid.operator_entry_id, enterprise_entry_id: paid.enterprise_entry_id }));
    expect(borrowed?.code, 'paid with another claim’s payouts').to.equal('42501');
    expect((await claim().first('status')).status).to.equal('CHECKED');
  });
});
