import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { useOwnDatabase, refusal } from './own-database';

/**
 * Rows inserted past their first state, as the hostile application role: a guard that holds a
 * row's moves on UPDATE only lets a row be written straight into a state no step of the workflow
 * reached it by (docs/security.md). Demo-seeded: a paid base training claim.
 */
describe('attack: rows inserted already past their first state, as the application role', function () {
  let db: Knex;

  useOwnDatabase('attack_inserted_rows', (d) => (db = d));

  it('refuses a trainee line added to a paid training claim, and writes nothing', async () => {
    // The outcome part pays for the live lines of a paid base claim: a line added after the check
    // would be paid for without any officer having checked it.
    const paid = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const line = await db('training_claim_lines').where({ claim_id: paid.id, live: true }).first();
    const tag = randomUUID().slice(0, 8);
    const row = { ...line, certificate_no: `INSERTED-${tag}`, holder_id_number: `INSERTED-${tag}`, holder_name: 'Inserted trainee' };
    const e = await refusal(db('training_claim_lines').insert(row));
    expect(e, 'a line inserted into a PAID claim').to.not.equal(null);
    expect(e!.code, e!.message).to.equal('42501');
    expect(await db('training_claim_lines').where({ claim_id: paid.id, certificate_no: row.certificate_no }).first()).to.equal(undefined);
  });

  it('refuses a scheduled follow-up visit inserted already reminded or marked overdue, and writes nothing', async () => {
    // The schedule step inserts on conflict do nothing, and the reminder and the overdue mark are
    // written only where none is yet: a row inserted first with either keeps both from happening.
    const loanId = await storedLoan(db);
    const at = new Date().toISOString();
    for (const [months, set] of [[3, { reminded_at: at }], [6, { overdue_marked_at: at }]] as const) {
      const e = await refusal(db('follow_up_schedule').insert({ loan_id: loanId, months, due_on: '2030-01-01', overdue_on: '2030-01-31', ...set }));
      expect(e, `inserted with ${Object.keys(set)[0]}`).to.not.equal(null);
      expect(e!.code, e!.message).to.equal('42501');
      expect(await db('follow_up_schedule').where({ loan_id: loanId, months }).first()).to.equal(undefined);
    }
    // As the schedule step writes it: accepted.
    await db('follow_up_schedule').insert({ loan_id: loanId, months: 3, due_on: '2030-01-01', overdue_on: '2030-01-31' });
  });

  it('refuses a top-up or a reopening request inserted already decided, in whole or in part, and writes nothing', async () => {
    // A pending proposal carries no decision: one inserted with a decider, a reason or a time of
    // decision shows the approver a decision nobody made; approved, it would skip the maker-checker.
    const officer = await db('users').where({ username: 'fin-officer' }).first('id', 'org_id');
    const approver = await db('users').where({ username: 'fin-approver' }).first('id');
    const fund = await db('funds').where({ finance_bureau_org_id: officer.org_id }).first('id');
    const proposal = (kind: string) => ({
      id: randomUUID(), kind, fund_id: kind === 'fund_top_up' ? fund.id : null, amount: kind === 'fund_top_up' ? '1000000.00' : null,
      quarter: kind === 'period_reopen' ? '2026Q1' : null, reason: 'inserted', status: 'pending', proposed_by: officer.id, proposed_role: 'finance_officer',
    });
    const decided = { decided_by: approver.id, decided_role: 'finance_approver', decided_at: new Date().toISOString(), decision_reason: 'approved by the director' };
    for (const kind of ['fund_top_up', 'period_reopen']) {
      for (const set of [
        { decided_role: 'finance_approver' },
        { decided_at: decided.decided_at },
        { decision_reason: decided.decision_reason },
        { status: 'approved', ...decided },
        { status: 'rejected', ...decided },
      ]) {
        const row = { ...proposal(kind), ...set };
        const e = await refusal(db('finance_proposals').insert(row));
        expect(e, `${kind} inserted with ${Object.keys(set).join(', ')}`).to.not.equal(null);
        expect(e!.code, e!.message).to.equal('42501');
        expect(await db('finance_proposals').where({ id: row.id }).first()).to.equal(undefined);
      }
    }
  });
});

/** A loan row alone (no application behind it), written as the owner with the triggers off. */
async function storedLoan(db: Knex): Promise<string> {
  const id = randomUUID();
  const bank = await db('organisations').where({ type: 'bank' }).first('id');
  const policy = await db('policies').first('id');
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('loans').insert({
      id, application_id: randomUUID(), bank_id: bank.id, borrower_id_number: `LOAN-${id.slice(0, 8)}`, contract_no: `C-${id.slice(0, 8)}`,
      principal: '60000.00', annual_rate: '0.0435', disbursed_on: '2029-10-01', term_months: 12, repayment_method: 'equal_installment',
      bank_reference: `B-${id.slice(0, 8)}`, policy_id: policy.id,
    });
  });
  return id;
}
