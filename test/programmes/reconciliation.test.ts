import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { closeSuite, newApplicant, openPrivateSuite, type ApiHarness } from '../support/api';

const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
/** The quarter of a date, worked out here rather than with the domain's code. */
const quarterOf = (date: string) => `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

/**
 * Each programme from fund creation to payout and reconciliation, by API calls alone
 * (docs/reconciliation.md, "Programme payouts"): a finance bureau, a labour bureau and their people
 * are made by the admin, its training and incubator funds opened and topped up, a class's claim filed by the
 * institution, checked by the labour officer and paid; an incubator reward filed, checked and paid
 * to operator and enterprise; then the bureau's account statement is imported and each payment
 * found on it by its reference. Expected amounts are the default policy's, written out here: 600.00
 * per trainee who passed, 100,000.00 each for a high-tech recognition.
 */
describe('programme payouts reconciled against the bureau’s statement (API only)', function () {
  this.timeout(240_000);
  let db: Knex;
  let h: ApiHarness;
  let officer: string, approver: string, bureauId: string;
  let training: { id: string; paidOn: string; amount: string };
  let reward: { id: string; paidOn: string; amountEach: string; operatorPaymentRef: string; enterprisePaymentRef: string };

  const ok = (r: { status: number; body: any }, status: number) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return r.body;
  };
  async function upload(quarter: string, csv: string) {
    const form = new FormData();
    form.append('quarter', quarter);
    form.append('bankId', bureauId);
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'bureau-statement.csv');
    const res = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  before(async function () {
    ({ db, h } = await openPrivateSuite('programmes_reconcile'));
  });
  after(() => closeSuite({ h, db }));

  it('runs both programmes from a new bureau’s funds to paid claims', async () => {
    const admin = await h.login('admin');
    const tag = randomUUID().slice(0, 8);
    bureauId = ok(await h.call('POST', '/v1/organisations', { token: admin, body: { type: 'finance_bureau', name: `Programme bureau ${tag}`, region: 'Changchun' } }), 201).id;
    for (const role of ['finance_officer', 'finance_approver']) {
      ok(await h.call('POST', '/v1/users', { token: admin, body: { username: `${role}-${tag}`, password: 'demo-password', role, orgId: bureauId } }), 201);
    }
    officer = await h.login(`finance_officer-${tag}`, 'demo-password');
    // The labour bureau and its officer are made the same way; the officer belongs to a labour bureau only.
    const labourBureau = ok(await h.call('POST', '/v1/organisations', { token: admin, body: { type: 'labour_bureau', name: `Labour bureau ${tag}`, region: 'Changchun' } }), 201).id;
    const misplaced = await h.call('POST', '/v1/users', { token: admin, body: { username: `labour-x-${tag}`, password: 'demo-password', role: 'labour_officer', orgId: bureauId } });
    expect(misplaced.status).to.equal(400);
    expect(misplaced.body.error.details).to.deep.equal([{ path: 'orgId', message: 'must be a labour_bureau, not a finance_bureau' }]);
    ok(await h.call('POST', '/v1/users', { token: admin, body: { username: `labour-${tag}`, password: 'demo-password', role: 'labour_officer', orgId: labourBureau } }), 201);
    const labourOfficer = await h.login(`labour-${tag}`, 'demo-password');
    approver = await h.login(`finance_approver-${tag}`, 'demo-password');

    const year = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
    for (const [programme, budget] of [['training_subsidy', '10000.00'], ['incubator_rewards', '500000.00']] as const) {
      const fund = ok(await h.call('POST', '/v1/funds', { token: officer, body: { programme, year, name: `${programme} ${year} ${tag}` } }), 201);
      const proposal = ok(await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: officer, body: { amount: budget, reason: 'budget of the year' } }), 201);
      ok(await h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposal.id}/decision`, { token: approver, body: { decision: 'approve' } }), 200);
    }

    // The training subsidy: two trainees who passed, checked by the labour bureau's officer.
    const trainees = [await newApplicant(h), await newApplicant(h)];
    const filed = ok(
      await h.call('POST', '/v1/training-claims', {
        token: await h.login('trainer'),
        body: { part: 'base', course: 'SYB', classRef: `SYB-REC-${tag}`, enrolled: 2, trainees: trainees.map((t) => ({ certificateNo: t.certificateNo, idNumber: t.idNumber, name: t.name })) },
      }),
      201,
    );
    ok(await h.call('POST', `/v1/training-claims/${filed.id}/check`, { token: labourOfficer, body: { decision: 'accept' } }), 200);
    training = ok(await h.call('POST', `/v1/training-claims/${filed.id}/approval`, { token: approver, body: { decision: 'approve' } }), 200);
    expect(training).to.include({ status: 'PAID', amount: '1200.00' });

    // The incubator reward: an enterprise recognised as high-tech while incubated.
    const incubator = ok(
      await h.call('POST', '/v1/incubators', { token: officer, body: { name: `孵化基地 ${tag}`, operatorName: '运营主体有限公司', operatorCreditCode: creditCode(), region: 'Changchun' } }),
      201,
    );
    const enterprise = ok(
      await h.call('POST', `/v1/incubators/${incubator.id}/enterprises`, { token: officer, body: { name: `在孵企业 ${tag}`, creditCode: creditCode(), enteredOn: `${year - 1}-01-10` } }),
      201,
    );
    const claim = ok(
      await h.call('POST', '/v1/incubator-rewards', { token: officer, body: { enterpriseId: enterprise.id, kind: 'high_tech', documentNo: `GR-${tag}`, eventOn: `${year - 1}-06-01` } }),
      201,
    );
    ok(await h.call('POST', `/v1/incubator-rewards/${claim.id}/check`, { token: officer, body: { decision: 'accept' } }), 200);
    reward = ok(await h.call('POST', `/v1/incubator-rewards/${claim.id}/approval`, { token: approver, body: { decision: 'approve' } }), 200);
    expect(reward).to.include({ status: 'PAID', amountEach: '100000.00' });
    expect(reward.operatorPaymentRef).to.match(/^[0-9a-f-]{36}$/);
    expect(reward.enterprisePaymentRef).to.match(/^[0-9a-f-]{36}$/).and.not.equal(reward.operatorPaymentRef);
  });

  it('matches each payment by its reference; a missing or different one is a mismatch', async () => {
    const quarter = quarterOf(training.paidOn);
    const header = 'date,reference,amount,description';
    // Everything as paid: three lines, three matches, no mismatch.
    const all = ok(
      await upload(quarter, [
        header,
        `${training.paidOn},${training.id},1200.00,training subsidy`,
        `${reward.paidOn},${reward.operatorPaymentRef.toUpperCase()},100000.00,incubator reward (operator)`,
        `${reward.paidOn},${reward.enterprisePaymentRef},100000.00,incubator reward (enterprise)`,
      ].join('\n') + '\n'),
      201,
    );
    expect(all).to.include({ lineCount: 3, payoutCount: 3, matched: 3, mismatchCount: 0 });
    expect(all.payoutTotal).to.equal('201200.00');

    // The enterprise's payment booked with another amount, the training payment absent.
    const wrong = ok(
      await upload(quarter, [
        header,
        `${reward.paidOn},${reward.operatorPaymentRef},100000.00,incubator reward (operator)`,
        `${reward.paidOn},${reward.enterprisePaymentRef},10000.00,incubator reward (enterprise)`,
      ].join('\n') + '\n'),
      201,
    );
    expect(wrong).to.include({ matched: 1, mismatchCount: 2 });
    expect(wrong.counts).to.include({ amount_differs: 1, missing_in_statement: 1, missing_in_ledger: 0 });
    const kinds = wrong.mismatches.map((m: { kind: string; claimId: string }) => [m.kind, m.claimId]);
    expect(kinds).to.have.deep.members([
      ['amount_differs', reward.enterprisePaymentRef],
      ['missing_in_statement', training.id],
    ]);

    // Such a payout is explained, never reversed here: it has no second payout to follow.
    const missing = wrong.mismatches.find((m: { kind: string }) => m.kind === 'missing_in_statement');
    const path = `/v1/reconciliations/${wrong.id}/mismatches/${missing.itemNo}/resolution`;
    const reversal = await h.call('POST', path, { token: approver, body: { resolution: 'reversal', reason: 'not on the statement' } });
    expect(reversal.status, JSON.stringify(reversal.body)).to.equal(422);
    expect(reversal.body.error.details[0].path).to.equal('resolution');
    ok(await h.call('POST', path, { token: approver, body: { resolution: 'explanation', reason: 'booked early next quarter by the bank' } }), 200);

    // A bank's statement never sees these payouts, and another bureau's officer cannot import this one.
    const bankA = (await db('organisations').where({ type: 'bank' }).orderBy('name').first('id')).id;
    const form = new FormData();
    form.append('quarter', quarter);
    form.append('bankId', bureauId);
    form.append('file', new Blob([`${header}\n${training.paidOn},${training.id},1200.00,x\n`]), 's.csv');
    const foreign = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${await h.login('fin-officer')}` }, body: form });
    expect(foreign.status).to.equal(400);
    const bankForm = new FormData();
    bankForm.append('quarter', quarter);
    bankForm.append('bankId', bankA);
    bankForm.append('file', new Blob([`${header}\n${training.paidOn},${training.id},1200.00,x\n`]), 's.csv');
    const bank = (await (await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: bankForm })).json()) as any;
    expect(bank).to.include({ matched: 0 });
    expect(bank.counts).to.include({ missing_in_ledger: 1 });
  });
  it('a paid claim never changes; the quarter’s close proves each programme payout agrees with its ledger entry', async () => {
    const quarter = quarterOf(training.paidOn);
    const blockers = async () => {
      const r = await h.call('GET', `/v1/periods/${quarter}`, { token: officer });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return (r.body.blockers as Array<{ path: string; message: string }>).filter((b) => /^(training-claims|incubator-rewards)\//.test(b.path));
    };
    expect(await blockers(), 'rows and entries agree').to.deep.equal([]);
    // The application's role cannot rewrite a paid claim, nor delete one.
    const refused = (q: Promise<unknown>) => q.then(() => null, (e: { code?: string }) => e.code);
    expect(await refused(db('training_claims').where({ id: training.id }).update({ amount: '1300.00' }))).to.equal('42501');
    expect(await refused(db('incubator_reward_claims').where({ id: reward.id }).update({ paid_on: '2000-01-01' }))).to.equal('42501');
    // Deleting is not even granted to it (42501): the table's rows are never deleted.
    expect(await refused(db('training_claims').where({ id: training.id }).delete())).to.equal('42501');
    // Its owner, switching triggers off, can: then the records no longer agree, and the close says so.
    const tamper = (amount: string) =>
      adminOf(db).transaction(async (trx) => {
        await trx.raw('set local session_replication_role = replica');
        await trx('training_claims').where({ id: training.id }).update({ amount });
      });
    await tamper('1300.00');
    try {
      const drift = await blockers();
      expect(drift.map((b) => b.path)).to.deep.equal([`training-claims/${training.id}`]);
      expect(drift[0]!.message).to.contain('1300.00').and.contain('1200.00');
    } finally {
      await tamper('1200.00');
    }
    expect(await blockers()).to.deep.equal([]);
  });
});
