import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { openFund } from '../support/funds';
import { people, storedClaim, type People } from '../finance/helpers';
import { createOrg, uniqueKey } from '../ledger/helpers';
import {
  accountCode,
  accrueSubsidy,
  allocateBudget,
  getFundStatus,
  lapseFund,
  payOut,
  payProgrammeExpense,
  postEntry,
  reserveBudget,
  reverseEntry,
  type LineInput,
} from '../../db/ledger';
import { payClaimAgain } from '../../usecases/mismatches';

/**
 * Money out of a special fund, posted by the hostile application role (docs/ledger.md, "What moves
 * money out of a special fund"): only a posting of the map, for the claim or event behind it, once.
 * Every refusal writes nothing.
 */
describe('attack: money out of a special fund, as the application role', function () {
  let db: Knex;
  let p: People;
  /** The fund of the test running: a year of its own, so what one test lets out does not starve the next. */
  let fundId: string;
  let otherFundId: string;
  let year = 2040;
  let on = '';
  let quarters = 0;

  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase('attack_fund_outflow', { seed: true })).db;
    p = await people(db);
  });
  beforeEach(async () => {
    year += 2;
    on = `${year}-02-10`;
    fundId = (await openFund(db, { bureauId: p.bureau, year })).id;
    otherFundId = (await openFund(db, { bureauId: p.bureau, year: year + 1 })).id;
    for (const f of [fundId, otherFundId]) {
      await allocateBudget(adminOf(db), { fundId: f, amount: '1000000.00', postedOn: `${year}-01-02`, idempotencyKey: `budget:${f}` });
    }
    // What the bank is owed, so payouts have a payable to settle.
    await accrueSubsidy(db, { bankOrgId: p.bankA, amount: '500000.00', postedOn: `${year}-01-03`, idempotencyKey: uniqueKey('accrue') });
  });
  after(async () => db?.destroy());

  const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? String(e));
  const stored = async (key: string) => Number((await adminOf(db).raw('select count(*)::int as n from ledger_entries where idempotency_key = ?', [key])).rows[0].n);
  const available = async () => (await getFundStatus(db, fundId)).available;

  /** One entry, as the role posts it, with the fund's credit line first. */
  async function attempt(kind: string, lines: LineInput[], metadata: Record<string, unknown> = {}) {
    const key = uniqueKey(`attack-${kind}`);
    const before = await available();
    const result = await code(postEntry(db, { idempotencyKey: key, postedOn: on, kind, metadata, lines }));
    return { result, stored: await stored(key), availableUnchanged: (await available()) === before };
  }
  const refusedCleanly = { result: 'FUND_OUTFLOW_REFUSED', stored: 0, availableUnchanged: true };
  const out = (from: string, to: string, amount = '100.00'): LineInput[] => [
    { account: from, side: 'credit', amount },
    { account: to, side: 'debit', amount },
  ];

  /** An interest-subsidy claim as its approval leaves it before the payout (CHECKED, approver named). */
  async function approvedClaim(total: string, extra: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    await storedClaim(db, {
      id, bank_id: p.bankA, quarter: `${2001 + quarters++}Q1`, workflow_id: `subsidy-claim-outflow-${id}`, status: 'CHECKED', late: false, total,
      filed_on: on, filed_by: p.bankOfficer.id, checked_by: p.officer.userId, approved_by: p.approver.userId, ...extra,
    });
    return id;
  }
  const payoutOf = (claimId: string, amount: string, o: { fund?: string; bank?: string; key?: string } = {}) =>
    payOut(db, {
      fundId: o.fund ?? fundId, bankOrgId: o.bank ?? p.bankA, amount, postedOn: on, idempotencyKey: o.key ?? uniqueKey(`payout-${claimId}`),
      fromReservation: false, metadata: { claimId },
    });

  describe('a. out of a fund with a kind that is not a fund outflow', () => {
    it('available or reserved to bank cash or the treasury, under an unrelated kind, is refused', async () => {
      const fund = (a: 'available' | 'reserved') => accountCode.fund(fundId, a);
      await reserveBudget(db, { fundId, amount: '500.00', postedOn: on, idempotencyKey: uniqueKey('hold') });
      expect(await attempt('loan.disbursal', out(fund('available'), accountCode.bank(p.bankA, 'cash'))), 'available → bank cash').to.deep.equal(refusedCleanly);
      expect(await attempt('raw.test', out(fund('reserved'), accountCode.treasury(p.bureau, 'cash'))), 'reserved → treasury').to.deep.equal(refusedCleanly);
      // A kind of the map whose lines are another kind's: a reservation that leaves the fund.
      expect(await attempt('fund.reservation', out(fund('available'), accountCode.bank(p.bankA, 'cash'))), 'reservation to bank cash').to.deep.equal(refusedCleanly);
      // A release whose lines move money to another fund's reserve (LF011 refuses money into that fund first).
      expect((await attempt('fund.release', out(fund('reserved'), accountCode.fund(otherFundId, 'reserved')))).stored).to.equal(0);
    });

    it('a lapse to another treasury, before the year has ended, or of part of what is available, is refused', async () => {
      const lapseTo = (treasury: string, postedOn: string, amount: string) =>
        code(postEntry(db, {
          idempotencyKey: uniqueKey('lapse'), postedOn, kind: 'fund.lapse', metadata: { fundId },
          lines: out(accountCode.fund(fundId, 'available'), accountCode.treasury(treasury, 'cash'), amount),
        }));
      const all = await available();
      const otherBureau = await createOrg(db, 'finance_bureau');
      expect(await lapseTo(otherBureau, `${year + 1}-01-02`, all), 'to another bureau').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await lapseTo(p.bureau, `${year}-12-31`, all), 'before the year ended').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await lapseTo(p.bureau, `${year + 1}-01-02`, '1.00'), 'part of it').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await available()).to.equal(all);
    });
  });

  describe('b. a payout with no approved claim of its amount behind it', () => {
    it('a subsidy payout naming no claim, an unknown claim, a claim not approved, another fund’s, another bank’s, or another amount, is refused; one waiting for budget is paid from the year it is paid in', async () => {
      const pay = (metadata: Record<string, unknown>, amount = '100.00', bank = p.bankA) =>
        attempt('fund.payout', out(accountCode.fund(fundId, 'available'), accountCode.bank(bank, 'subsidy_payable'), amount), metadata);
      expect(await pay({}), 'no claim').to.deep.equal(refusedCleanly);
      expect(await pay({ claimId: 'not-a-uuid' }), 'not a claim id').to.deep.equal(refusedCleanly);
      expect(await pay({ claimId: randomUUID() }), 'no such claim').to.deep.equal(refusedCleanly);
      const unapproved = await approvedClaim('100.00', { approved_by: null });
      expect(await pay({ claimId: unapproved }), 'checked, not approved').to.deep.equal(refusedCleanly);
      const submitted = await approvedClaim('100.00', { status: 'SUBMITTED', checked_by: null, approved_by: null });
      expect(await pay({ claimId: submitted }), 'submitted').to.deep.equal(refusedCleanly);
      // Approved in another bureau: its money is that bureau's fund's.
      const otherBureau = await createOrg(db, 'finance_bureau');
      const [stranger] = await adminOf(db)('users').insert({ username: `fin-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: otherBureau }).returning('id');
      const elsewhere = await approvedClaim('100.00', { approved_by: stranger.id });
      expect(await pay({ claimId: elsewhere }), 'a claim of another bureau’s fund').to.deep.equal(refusedCleanly);
      // Paid from another fund, then reversed: paid again from that fund only.
      const paidElsewhere = await approvedClaim('100.00');
      const first = await payoutOf(paidElsewhere, '100.00', { fund: otherFundId });
      await db('subsidy_claims').where({ id: paidElsewhere }).update({ status: 'PAID', fund_id: otherFundId, paid_on: on, payout_entry_id: first.id });
      await reverseEntry(db, { entryId: first.id, idempotencyKey: uniqueKey('back'), postedOn: on });
      await db('subsidy_claims').where({ id: paidElsewhere }).update({ status: 'PAYOUT_REVERSED' });
      expect(await pay({ claimId: paidElsewhere }), 'a reversed claim of another fund').to.deep.equal(refusedCleanly);
      const claim = await approvedClaim('100.00');
      expect(await pay({ claimId: claim }, '99.99'), 'another amount').to.deep.equal(refusedCleanly);
      expect(await pay({ claimId: claim }, '100.00', p.bankB), 'another bank').to.deep.equal(refusedCleanly);
      // The claim's own payout stands.
      expect(await pay({ claimId: claim })).to.deep.include({ result: 'allowed', stored: 1 });
      // A claim that waited for budget in last year's fund is paid from this year's, as a retry after a top-up pays it.
      const waited = await approvedClaim('100.00', { status: 'PENDING_BUDGET', fund_id: otherFundId });
      expect(await pay({ claimId: waited })).to.deep.include({ result: 'allowed', stored: 1 });
    });

    it('a training payout or incubator reward naming no claim of its programme is refused', async () => {
      await reserveBudget(db, { fundId, amount: '300.00', postedOn: on, idempotencyKey: uniqueKey('hold') });
      const programme = (kind: 'training.payout' | 'incubator.reward', metadata: Record<string, unknown>) =>
        code(payProgrammeExpense(db, {
          fundId, amount: '100.00', postedOn: on, idempotencyKey: uniqueKey(kind), kind,
          expense: kind === 'training.payout' ? 'training_subsidy_expense' : 'incubator_reward_expense', metadata,
        }));
      expect(await programme('training.payout', {}), 'training, no claim').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await programme('incubator.reward', { claimId: randomUUID(), payee: 'operator' }), 'reward, no such claim').to.equal('FUND_OUTFLOW_REFUSED');
      // An interest-subsidy claim is no training claim.
      expect(await programme('training.payout', { claimId: await approvedClaim('100.00') }), 'a subsidy claim as training').to.equal('FUND_OUTFLOW_REFUSED');
    });
  });

  describe('c. one live payout per claim (and payee)', () => {
    it('a second payout of a claim is refused; after the first is reversed, one new payout is accepted', async () => {
      const claim = await approvedClaim('250.00');
      const first = await payoutOf(claim, '250.00');
      expect(await code(payoutOf(claim, '250.00')), 'a second payout while the first stands').to.equal('FUND_OUTFLOW_REFUSED');
      // The same claim spelled otherwise is the same claim: a second payout all the same.
      for (const spelled of [claim.toUpperCase(), ` ${claim}`, `{${claim}}`, claim.replace(/-/g, '')]) {
        expect(await code(payoutOf(spelled, '250.00')), `claimId ${spelled}`).to.equal('FUND_OUTFLOW_REFUSED');
      }
      await db('subsidy_claims').where({ id: claim }).update({ status: 'PAID', fund_id: fundId, paid_on: on, payout_entry_id: first.id });
      expect(await code(payoutOf(claim, '250.00')), 'a payout of a paid claim').to.equal('FUND_OUTFLOW_REFUSED');

      // The reconciliation's reversal, then the approver's "pay again": once.
      await reverseEntry(db, { entryId: first.id, idempotencyKey: uniqueKey('back'), postedOn: on, metadata: { claimId: claim } });
      await db('subsidy_claims').where({ id: claim }).update({ status: 'PAYOUT_REVERSED' });
      const second = await payoutOf(claim, '250.00');
      expect(await code(payoutOf(claim, '250.00')), 'a third payout while the second stands').to.equal('FUND_OUTFLOW_REFUSED');
      await db('subsidy_claims').where({ id: claim }).update({ status: 'PAID', paid_on: on, payout_entry_id: second.id });
      const live = await adminOf(db).raw(
        `select count(*)::int as n from ledger_entries e where e.kind = 'fund.payout' and e.metadata ->> 'claimId' = ?
            and not exists (select 1 from ledger_entries r where r.reverses_entry_id = e.id)`,
        [claim],
      );
      expect(live.rows[0].n).to.equal(1);
    });

    it('the reversal of a payout’s reversal, which would pay it again with no claim, is refused', async () => {
      const claim = await approvedClaim('40.00');
      const paid = await payoutOf(claim, '40.00');
      const back = await reverseEntry(db, { entryId: paid.id, idempotencyKey: uniqueKey('back'), postedOn: on });
      expect(await code(reverseEntry(db, { entryId: back.id, idempotencyKey: uniqueKey('again'), postedOn: on })), 'reversal of the reversal').to.equal('FUND_OUTFLOW_REFUSED');
    });

    it('the approver’s "pay again" of a reversed payout still works, once, and two of them race to one payout', async () => {
      const claim = await approvedClaim('60.00');
      const first = await payoutOf(claim, '60.00');
      await db('subsidy_claims').where({ id: claim }).update({ status: 'PAID', fund_id: fundId, paid_on: on, payout_entry_id: first.id });
      await reverseEntry(db, { entryId: first.id, idempotencyKey: uniqueKey('back'), postedOn: on });
      await db('subsidy_claims').where({ id: claim }).update({ status: 'PAYOUT_REVERSED' });
      // Two posting transactions with different keys at once: the claim's lock lets one through.
      const both = await Promise.all(
        [1, 2].map((i) => db.transaction((trx) => payOut(trx, {
          fundId, bankOrgId: p.bankA, amount: '60.00', postedOn: on, idempotencyKey: uniqueKey(`race-${i}`), fromReservation: false, metadata: { claimId: claim },
        })).then(() => 'allowed', (e: { code?: string }) => e.code)),
      );
      expect(both.sort()).to.deep.equal(['FUND_OUTFLOW_REFUSED', 'allowed']);
      // The use case, on a claim reversed again, pays it once.
      const claim2 = await approvedClaim('70.00');
      const p1 = await payoutOf(claim2, '70.00');
      await db('subsidy_claims').where({ id: claim2 }).update({ status: 'PAID', fund_id: fundId, paid_on: on, payout_entry_id: p1.id });
      await reserveBudget(db, { fundId, amount: '70.00', postedOn: on, idempotencyKey: uniqueKey('hold') });
      await reverseEntry(db, { entryId: p1.id, idempotencyKey: uniqueKey('back'), postedOn: on });
      await db('subsidy_claims').where({ id: claim2 }).update({ status: 'PAYOUT_REVERSED' });
      const deps = { db, now: () => new Date(`${on}T04:00:00Z`) };
      await payClaimAgain(deps, { claimId: claim2, reason: 'account corrected', actor: p.approver, requestId: null, today: on });
      expect((await db('subsidy_claims').where({ id: claim2 }).first('status')).status).to.equal('PAID');
    });

    it('an incubator reward pays each payee once, of the claim’s amount', async () => {
      const id = randomUUID();
      await adminOf(db).transaction(async (trx) => {
        await trx.raw('set local session_replication_role = replica');
        await trx('incubator_reward_claims').insert({
          id, workflow_id: `reward-outflow-${id}`, enterprise_id: randomUUID(), incubator_id: randomUUID(), kind: 'high_tech', exchange: null,
          document_no: 'HT-1', event_on: on, policy_id: randomUUID(), amount_each: '30.00', status: 'CHECKED', filed_by: p.bankOfficer.id, filed_on: on,
          checked_by: p.officer.userId, check_decision: 'approve', decided_by: p.approver.userId,
        });
      });
      const rewardsFund = (await openFund(db, { bureauId: p.bureau, year, programme: 'incubator_rewards' })).id;
      await allocateBudget(adminOf(db), { fundId: rewardsFund, amount: '1000.00', postedOn: on, idempotencyKey: `budget:${rewardsFund}` });
      await reserveBudget(db, { fundId: rewardsFund, amount: '200.00', postedOn: on, idempotencyKey: uniqueKey('hold') });
      const reward = (payee: string, amount = '30.00') =>
        code(payProgrammeExpense(db, {
          fundId: rewardsFund, amount, postedOn: on, idempotencyKey: uniqueKey(`reward-${payee}`), kind: 'incubator.reward', expense: 'incubator_reward_expense',
          metadata: { claimId: id, programme: 'incubator_rewards', payee },
        }));
      expect(await reward('operator', '31.00'), 'another amount').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await reward('someone'), 'no payee of a reward').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await reward('operator')).to.equal('allowed');
      expect(await reward('operator'), 'the operator twice').to.equal('FUND_OUTFLOW_REFUSED');
      expect(await reward('enterprise')).to.equal('allowed');
      expect(await reward('enterprise'), 'the enterprise twice').to.equal('FUND_OUTFLOW_REFUSED');
      // The interest-subsidy fund pays no reward.
      expect(await code(payProgrammeExpense(db, {
        fundId, amount: '30.00', postedOn: on, idempotencyKey: uniqueKey('reward-fund'), kind: 'incubator.reward', expense: 'incubator_reward_expense',
        metadata: { claimId: id, programme: 'incubator_rewards', payee: 'operator' },
      })), 'from another programme’s fund').to.equal('FUND_OUTFLOW_REFUSED');
    });

    it('the year-end lapse takes all that is available, once', async () => {
      await lapseFund(db, { fundId, financeBureauOrgId: p.bureau, amount: '1000000.00', postedOn: `${year + 1}-01-02` });
      expect((await getFundStatus(db, fundId)).lapsed).to.equal('1000000.00');
    });

    it('a lapse the role posted and reversed does not stand in the way of the year-end lapse', async () => {
      const treasury = accountCode.treasury(p.bureau, 'cash');
      const early = await postEntry(db, {
        idempotencyKey: uniqueKey('early-lapse'), postedOn: `${year + 1}-01-01`, kind: 'fund.lapse',
        lines: out(accountCode.fund(fundId, 'available'), treasury, '1000000.00'),
      });
      await reverseEntry(db, { entryId: early.id, idempotencyKey: uniqueKey('lapse-back'), postedOn: `${year + 1}-01-01` });
      expect(await available()).to.equal('1000000.00');
      await lapseFund(db, { fundId, financeBureauOrgId: p.bureau, amount: '1000000.00', postedOn: `${year + 1}-01-02` });
      expect(await available()).to.equal('0.00');
    });
  });
});
