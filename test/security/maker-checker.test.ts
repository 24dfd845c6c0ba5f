import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { closeSuite, startApi, type ApiHarness } from '../support/api';
import { financeDb, people, rejection, type People } from '../finance/helpers';
import { accountCode, accrueSubsidy, getFundStatus, payOut, reverseEntry } from '../../db/ledger';
import { approvedSubsidyClaim, openFund } from '../support/funds';
import { MAX_BUDGET_AMOUNT, Money, formatMoney } from '../../domain/money';
import { uniqueKey } from '../ledger/helpers';

/**
 * Money rules move only with two people (docs/security.md): a top-up is proposed by one finance
 * officer or approver and approved by another, a finance approver; its allocation is keyed on the
 * proposal, so no retry allocates twice. (Reopening a quarter: test/finance/periods.test.ts.)
 */
describe('maker–checker: fund top-ups', function () {
  let db: Knex;
  let h: ApiHarness;
  let p: People;
  let officer: string;
  let approver: string;
  let fundId: string;

  before(async () => {
    const env = await testEnv();
    db = await financeDb(env, 'maker_checker');
    h = await startApi({ ...env, db }, { runWorker: false });
    p = await people(db);
    officer = await h.login('fin-officer');
    approver = await h.login('fin-approver');
    fundId = (await openFund(db, { bureauId: p.bureau, year: 2033, name: 'Special fund 2033' })).id;
  });
  after(() => closeSuite({ h, db }));

  const propose = (token: string, amount: string, headers: Record<string, string> = {}) =>
    h.call('POST', `/v1/funds/${fundId}/top-ups`, { token, body: { amount, reason: 'supplementary budget for Q4' }, headers });
  const decide = (token: string, id: string, body: object) => h.call('POST', `/v1/funds/${fundId}/top-ups/${id}/decision`, { token, body });
  const budget = async () => (await getFundStatus(db, fundId)).budget;

  it('a proposal allocates nothing; the proposer cannot approve it; another approver can, once', async () => {
    const before = await budget();
    const proposed = await propose(approver, '5000.00');
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    expect(proposed.body).to.include({ status: 'pending', amount: '5000.00', proposedBy: 'fin-approver', ledgerEntryId: null });
    expect(await budget()).to.equal(before);

    const self = await decide(approver, proposed.body.id, { decision: 'approve' });
    expect(self.status).to.equal(403);
    expect(self.body.error.message).to.match(/another person/);
    expect(await budget()).to.equal(before);

    const byOfficer = await propose(officer, '700.00');
    expect((await decide(officer, byOfficer.body.id, { decision: 'approve' })).status, 'an officer never approves').to.equal(403);
    const ok = await decide(approver, byOfficer.body.id, { decision: 'approve', reason: 'budget letter 2033-17' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.proposal).to.include({ status: 'approved', decidedBy: 'fin-approver', proposedBy: 'fin-officer' });
    expect(ok.body.fund.budget).to.equal('700.00');
    // A second approval (a retry, or another tab) allocates nothing more.
    expect((await decide(approver, byOfficer.body.id, { decision: 'approve' })).status).to.equal(409);
    expect(await budget()).to.equal('700.00');
    const entries = await db('ledger_entries').where({ idempotency_key: `fund-top-up:${byOfficer.body.id}` });
    expect(entries).to.have.length(1);

    const list = await h.call('GET', `/v1/funds/${fundId}/top-ups`, { token: await h.login('auditor') });
    expect(list.body.items.map((x: any) => [x.amount, x.status])).to.deep.equal([
      ['700.00', 'approved'],
      ['5000.00', 'pending'],
    ]);
  });

  it('a rejection needs a reason and allocates nothing', async () => {
    const proposed = await propose(officer, '123.45');
    expect((await decide(approver, proposed.body.id, { decision: 'reject' })).status).to.equal(400);
    const r = await decide(approver, proposed.body.id, { decision: 'reject', reason: 'no budget letter' });
    expect(r.status).to.equal(200);
    expect(r.body.proposal).to.include({ status: 'rejected', decisionReason: 'no budget letter' });
    expect(r.body.claimsPaid).to.deep.equal([]);
    expect(await budget()).to.equal('700.00');
  });

  it('refuses amounts beyond any budget, and proposals by banks or for another bureau’s fund', async () => {
    expect((await propose(officer, '1000000000000.01')).status).to.equal(400);
    expect((await propose(await h.login('bank-a'), '10.00')).status).to.equal(403);
    const otherBureau = (await db('organisations').insert({ type: 'finance_bureau', name: `Other bureau ${Date.now()}`, region: 'x' }).returning('id'))[0].id;
    const other = await openFund(db, { bureauId: otherBureau, year: 2033, name: 'theirs' });
    expect((await h.call('POST', `/v1/funds/${other.id}/top-ups`, { token: officer, body: { amount: '10.00', reason: 'not ours' } })).status).to.equal(404);
  });

  it('the database itself refuses a top-up approved by its proposer, without its allocation, or decided twice', async () => {
    const proposed = await propose(officer, '50.00');
    const id = proposed.body.id;
    const update = (set: object) => rejection(db('finance_proposals').where({ id }).update(set));
    expect((await update({ status: 'approved', decided_by: p.officer.userId, decided_role: 'finance_officer' })).message).to.match(/four_eyes|finance approver/);
    expect((await update({ status: 'approved', decided_by: p.approver.userId, decided_role: 'finance_approver' })).message).to.match(/approved only by fund_top_up_approve/);
    // Nor by playing the function's part: a setting is the role's to set, the current user is not.
    const played = await rejection(
      db.transaction(async (trx) => {
        await trx.raw(`select set_config('loanflow.period_writer', 'on', true), set_config('loanflow.ledger_writer', 'post', true)`);
        await trx('finance_proposals').where({ id }).update({ status: 'approved', decided_by: p.approver.userId, decided_role: 'finance_approver' });
      }),
    );
    expect(played.message).to.match(/approved only by fund_top_up_approve/);
    expect((await update({ amount: '5000000.00' })).message).to.match(/only the decision/);
    expect((await rejection(db('finance_proposals').where({ id }).delete())).message).to.match(/never deleted/);
    const inserted = await rejection(
      db('finance_proposals').insert({ kind: 'fund_top_up', fund_id: fundId, amount: '1.00', reason: 'sneaky', proposed_by: p.bankOfficer.id, proposed_role: 'bank_officer' }),
    );
    expect(inserted.message).to.match(/only an active finance officer or approver proposes/);
    await db('finance_proposals').where({ id }).update({ status: 'rejected', decided_by: p.approver.userId, decided_role: 'finance_approver', decision_reason: 'test' });
    expect((await update({ status: 'approved' })).message).to.match(/was rejected already/);
  });

  it('the application role cannot allocate a budget without a proposal: no line on a budget, no money into a fund', async () => {
    const before = await budget();
    const entries = async () => Number((await db('ledger_entries').count('* as n'))[0]!.n);
    const n = await entries();
    // The review's attack, word for word: a billion onto the budget with no proposal.
    const raw = (account1: string, account2: string, reverses = 'null::bigint') =>
      rejection(
        db.raw(
          `select * from ledger_post_batch(array['${uniqueKey('attack:alloc')}'], array[current_date], array['fund.allocation'], array['no proposal'], array['{}'::jsonb],
             array[${reverses}], array[1,1], array[1,2], array['${account1}','${account2}'], array['debit','credit'], array[999999999.00,999999999.00])`,
        ),
      );
    const available = accountCode.fund(fundId, 'available');
    const direct = await raw(available, accountCode.fund(fundId, 'budget'));
    expect((direct as { code?: string }).code, direct.message).to.equal('LF011');
    expect(direct.message).to.match(/budget, which grows only by an approved top-up/);
    // Around the budget: from the treasury (which may go negative), or from another fund.
    const other = (await openFund(db, { bureauId: p.bureau, year: 2034, name: 'Special fund 2034' })).id;
    for (const source of [accountCode.treasury(p.bureau, 'cash'), accountCode.fund(other, 'available'), accountCode.bank(p.bankA, 'subsidy_payable')]) {
      const e = await raw(available, source);
      expect((e as { code?: string }).code, `${source}: ${e.message}`).to.equal('LF011');
    }
    // Calling a "reversal" of nothing, or of an entry that took nothing out, gains nothing either.
    expect(((await raw(available, accountCode.treasury(p.bureau, 'cash'), '1')) as { code?: string }).code).to.match(/^LF00[34]$/);
    // The owner's functions behind it are not the role's to run.
    for (const sql of [
      `select * from fund_allocate('${fundId}'::uuid, 1000.00, current_date, '${uniqueKey('attack')}', 'x', '{}'::jsonb)`,
      `select * from ledger_post_entries(array['${uniqueKey('attack')}'], array[current_date], array['fund.allocation'], array[''], array['{}'::jsonb], array[null::bigint], array[1,1], array[1,2], array['${available}','${accountCode.fund(fundId, 'budget')}'], array['debit','credit'], array[1.00,1.00])`,
    ]) {
      expect(((await rejection(db.raw(sql))) as { code?: string }).code, sql).to.equal('42501');
    }
    expect(await budget()).to.equal(before);
    expect(await entries()).to.equal(n);
  });

  it('what the application posts on a fund stays possible: reserve, release, pay out, and reverse a payout once', async () => {
    const proposed = await propose(officer, '300.00');
    expect((await decide(approver, proposed.body.id, { decision: 'approve' })).status).to.equal(200);
    const year = 2033;
    await accrueSubsidy(db, { bankOrgId: p.bankA, amount: '40.00', postedOn: `${year}-02-01`, idempotencyKey: uniqueKey('accrue') });
    const claimId = await approvedSubsidyClaim(db, { bankId: p.bankA, bureauId: p.bureau, total: '40.00' });
    const paid = await payOut(db, { fundId, bankOrgId: p.bankA, amount: '40.00', postedOn: `${year}-02-02`, idempotencyKey: uniqueKey('pay'), fromReservation: false, metadata: { claimId } });
    const status = await getFundStatus(db, fundId);
    const back = await reverseEntry(db, { entryId: paid.id, idempotencyKey: uniqueKey('back'), postedOn: `${year}-02-03` });
    expect(back.reversesEntryId).to.equal(paid.id);
    expect((await getFundStatus(db, fundId)).available).to.equal(formatMoney(new Money(status.available).plus('40.00')));
    // The reversal gave back what the payout took; a second one is refused.
    expect((await reverseEntry(db, { entryId: paid.id, idempotencyKey: uniqueKey('back'), postedOn: `${year}-02-03` }).catch((e) => e)).code).to.equal('REVERSAL_REFUSED');
    // An approved allocation is not the role's to reverse: that would be a line on the budget.
    const entryId = (await db('finance_proposals').where({ id: proposed.body.id }).first('ledger_entry_id')).ledger_entry_id;
    expect((await reverseEntry(db, { entryId: Number(entryId), idempotencyKey: uniqueKey('undo'), postedOn: `${year}-02-03` }).catch((e) => e)).code).to.equal('FUND_MONEY_REFUSED');
  });

  it('fund_top_up_approve checks the decider itself, and writes the entry, the decision and the audit row together', async () => {
    const proposed = await propose(officer, '25.00');
    const id = proposed.body.id;
    const call = (decider: string) =>
      db.raw(`select fund_top_up_approve(?::uuid, ?::uuid, current_date, 'ok', null, null) as entry`, [id, decider]);
    const self = (await rejection(call(p.officer.userId))) as { code?: string; message: string };
    expect(self.code, self.message).to.equal('42501');
    const bank = (await rejection(call(p.bankOfficer.id))) as { code?: string };
    expect(bank.code).to.equal('42501');
    // An approver of another bureau is not this fund's checker.
    const otherBureau = (await db('organisations').insert({ type: 'finance_bureau', name: `Bureau ${uniqueKey()}`, region: 'x' }).returning('id'))[0].id;
    const stranger = (await adminOf(db).raw(`select (loanflow_create_user(?::uuid, ?, 'x', 'finance_approver', ?::uuid, null, null, null)).id`, [
      (await db('users').where({ username: 'admin' }).first('id')).id, `approver-${uniqueKey()}`.slice(0, 40), otherBureau,
    ])).rows[0].id;
    expect(((await rejection(call(stranger))) as { code?: string }).code).to.equal('42501');
    expect((await db('finance_proposals').where({ id }).first()).status).to.equal('pending');

    const { rows } = await call(p.approver.userId);
    const entryId = Number(rows[0].entry);
    const row = await db('finance_proposals').where({ id }).first();
    expect(row).to.include({ status: 'approved', decided_by: p.approver.userId });
    expect(Number(row.ledger_entry_id)).to.equal(entryId);
    const audit = await db('audit_log').where({ action: 'fund.top_up' }).whereRaw(`payload->>'proposalId' = ?`, [id]);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include({ actor_username: 'fin-approver', entity_id: fundId });
    expect(((await rejection(call(p.approver.userId))) as { code?: string }).code).to.equal('55000');
  });

  it('bounds the budget at MAX_BUDGET_AMOUNT exactly, in the database', async () => {
    const fund = (await openFund(db, { bureauId: p.bureau, year: 2035, name: 'Special fund 2035' })).id;
    const topUp = async (amount: string) => {
      const r = await h.call('POST', `/v1/funds/${fund}/top-ups`, { token: officer, body: { amount, reason: 'the whole budget' } });
      return h.call('POST', `/v1/funds/${fund}/top-ups/${r.body.id}/decision`, { token: approver, body: { decision: 'approve' } });
    };
    expect((await topUp('0.01')).status).to.equal(200);
    const over = await topUp(MAX_BUDGET_AMOUNT);
    expect(over.status).to.equal(422);
    expect(over.body.error.details[0]).to.deep.equal({ path: 'amount', message: `the budget is 0.01; it can grow by at most ${formatMoney(new Money(MAX_BUDGET_AMOUNT).minus('0.01'))}` });
    const exactly = await topUp(formatMoney(new Money(MAX_BUDGET_AMOUNT).minus('0.01')));
    expect(exactly.status, JSON.stringify(exactly.body)).to.equal(200);
    expect(exactly.body.fund.budget).to.equal(MAX_BUDGET_AMOUNT);
    expect((await topUp('0.01')).status).to.equal(422);
  });
});
