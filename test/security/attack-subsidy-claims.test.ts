import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { paidClaim, people, storedClaim, type People } from '../finance/helpers';
import { accrueSubsidy, payOut, reserveBudget } from '../../db/ledger';
import { payClaimAgain } from '../../usecases/mismatches';
import { freshQuarter, openFund } from '../support/funds';

/**
 * A paid interest-subsidy claim as the hostile application role (docs/security.md, "What must not
 * change"): the bank statement and the ledger are checked against its payout entry, date and fund,
 * and "PAYOUT_REVERSED" is the state only a reconciliation's reversal of that payout may leave it
 * in — the finance approver then pays it again. One UPDATE must not stand in for the reversal.
 */
describe('attack: a paid subsidy claim, as the application role', function () {
  let db: Knex;
  let p: People;
  const refused = (q: Promise<unknown>) => q.then(() => 'allowed', () => 'refused');
  const today = '2026-12-05';

  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase('attack_subsidy_claims', { seed: true })).db;
    p = await people(db);
  });
  after(async () => db?.destroy());

  it('marked PAYOUT_REVERSED by one UPDATE, with no reversal in the ledger, is not paid to the bank a second time', async () => {
    const claim = await paidClaim(db, p, { bankId: p.bankA, amount: '7300.00', paidOn: '2026-10-15' });
    const { fund_id: fundId } = await db('subsidy_claims').where({ id: claim.claimId }).first('fund_id');
    // What is owed elsewhere, as any working day leaves it: the bank's on-time periods of this quarter
    // accrued and not yet claimed, and another claim's approval holding money in the fund's reserve.
    await accrueSubsidy(db, { bankOrgId: p.bankA, amount: '50000.00', postedOn: today, idempotencyKey: `attack-accrual:${claim.claimId}` });
    await reserveBudget(db, { fundId, amount: '50000.00', postedOn: today, idempotencyKey: `attack-reserve:${claim.claimId}` });

    const flip = await refused(db('subsidy_claims').where({ id: claim.claimId }).update({ status: 'PAYOUT_REVERSED' }));
    const again = await refused(
      payClaimAgain({ db, now: () => new Date(`${today}T04:00:00Z`) }, { claimId: claim.claimId, reason: 'bank account corrected', actor: p.approver, requestId: null, today }),
    );
    const payouts = await db('ledger_entries').where({ kind: 'fund.payout' }).whereRaw("metadata->>'claimId' = ?", [claim.claimId]).count<{ n: string }[]>('* as n');

    expect({ flip, again, payouts: Number(payouts[0]!.n) }).to.deep.equal({ flip: 'refused', again: 'refused', payouts: 1 });
  });

  it('keeps the payout entry, date, fund, checker and approver it was paid with', async () => {
    const claim = await paidClaim(db, p, { bankId: p.bankA, amount: '410.00', paidOn: '2026-10-16' });
    const other = await paidClaim(db, p, { bankId: p.bankA, amount: '410.00', paidOn: '2026-10-17' });
    const anotherApprover = (await db('users').where({ role: 'finance_approver' }).whereNot({ id: p.approver.userId }).first('id'))?.id ?? null;
    const changes: Record<string, Record<string, unknown>> = {
      payout_entry_id: { payout_entry_id: other.entryId },
      paid_on: { paid_on: '2026-11-30' },
      fund_id: { fund_id: null },
      approved_by: { approved_by: anotherApprover },
      checked_by: { checked_by: null },
      approval_reason: { approval_reason: 'rewritten' },
    };
    const outcome: Record<string, string> = {};
    for (const [column, change] of Object.entries(changes)) outcome[column] = await refused(db('subsidy_claims').where({ id: claim.claimId }).update(change));
    expect(outcome).to.deep.equal(Object.fromEntries(Object.keys(changes).map((c) => [c, 'refused'])));
  });

  it('a second claim naming a paid claim’s payout entry is refused: a reversal of that payout would free both to be paid again', async () => {
    const claim = await paidClaim(db, p, { bankId: p.bankA, amount: '900.00', paidOn: '2026-10-20' });
    const row = await db('subsidy_claims').where({ id: claim.claimId }).first();
    const twin = randomUUID();
    const insert = await refused(
      db('subsidy_claims').insert({ ...row, id: twin, workflow_id: `subsidy-claim-twin-${twin}`, quarter: '2026Q3', total: '90000.00', seqs: undefined, line_count: undefined, created_at: undefined, updated_at: undefined }),
    );
    expect(insert).to.equal('refused');
  });

  it('a claim inserted past its filing (CHECKED, with a total of its own) is refused: the approver would pay what no one checked', async () => {
    const id = randomUUID();
    const insert = await db('subsidy_claims')
      .insert({
        id, bank_id: p.bankA, quarter: '2026Q3', workflow_id: `subsidy-claim-inserted-${id}`, status: 'CHECKED', late: false, total: '90000.00',
        filed_on: today, filed_by: p.bankOfficer.id, checked_by: p.officer.userId,
      })
      .then(() => null, (e: { code?: string; message: string }) => e);
    expect(insert, 'inserted').to.not.equal(null);
    expect(insert!.code, insert!.message).to.equal('42501');
    expect(await db('subsidy_claims').where({ id }).first()).to.equal(undefined);
  });

  it('a claim moves on only as someone decides it: CHECKED with no checker, PAID with no approver, are refused', async () => {
    const id = randomUUID();
    await storedClaim(db, { id, bank_id: p.bankA, quarter: '2026Q2', workflow_id: `subsidy-claim-undecided-${id}`, status: 'SUBMITTED', late: false, total: '50.00', filed_on: today, filed_by: p.bankOfficer.id });
    expect(await refused(db('subsidy_claims').where({ id }).update({ status: 'CHECKED' })), 'CHECKED, no checker').to.equal('refused');
    await db('subsidy_claims').where({ id }).update({ status: 'CHECKED', checked_by: p.officer.userId });
    expect(await refused(db('subsidy_claims').where({ id }).update({ status: 'PENDING_BUDGET' })), 'PENDING_BUDGET, no approver').to.equal('refused');
    expect(await refused(db('subsidy_claims').where({ id }).update({ status: 'REJECTED' })), 'REJECTED, by no one').to.equal('refused');
  });

  it('a checked claim is paid only by a payout made for it: a payout made for another claim is refused', async () => {
    const { fund_id: fundId } = await db('subsidy_claims').where({ id: (await paidClaim(db, p, { bankId: p.bankA, amount: '1.00', paidOn: '2026-10-21' })).claimId }).first('fund_id');
    // A payout of the fund to the bank for a claim that does not exist: the ledger refuses it (docs/ledger.md).
    await accrueSubsidy(db, { bankOrgId: p.bankA, amount: '154.00', postedOn: '2026-10-21', idempotencyKey: `attack-accrual:${randomUUID()}` });
    const nowhere = await payOut(db, {
      fundId, bankOrgId: p.bankA, amount: '77.00', postedOn: '2026-10-21', idempotencyKey: `subsidy-claim:${randomUUID()}:payout`, fromReservation: false, metadata: { claimId: randomUUID() },
    }).then(() => 'allowed', (e: { code?: string }) => e.code);
    expect(nowhere, 'a payout for no claim').to.equal('FUND_OUTFLOW_REFUSED');
    // A payout made for another approved claim, which no claim names yet (as a reversed payout is, once its claim was paid again).
    const elsewhere = randomUUID();
    await storedClaim(db, {
      id: elsewhere, bank_id: p.bankA, quarter: freshQuarter(), workflow_id: `subsidy-claim-elsewhere-${elsewhere}`, status: 'CHECKED', late: false, total: '77.00',
      filed_on: today, filed_by: p.bankOfficer.id, checked_by: p.officer.userId, approved_by: p.approver.userId,
    });
    const payout = await payOut(db, {
      fundId, bankOrgId: p.bankA, amount: '77.00', postedOn: '2026-10-21', idempotencyKey: `subsidy-claim:${elsewhere}:payout`, fromReservation: false, metadata: { claimId: elsewhere },
    });
    const id = randomUUID();
    await storedClaim(db, {
      id, bank_id: p.bankA, quarter: '2025Q4', workflow_id: `subsidy-claim-borrowed-${id}`, status: 'CHECKED', late: false, total: '77.00',
      filed_on: today, filed_by: p.bankOfficer.id, checked_by: p.officer.userId, approved_by: p.approver.userId,
    });
    const borrowed = await refused(db('subsidy_claims').where({ id }).update({ status: 'PAID', fund_id: fundId, paid_on: today, payout_entry_id: payout.id }));
    expect(borrowed, 'paid with a payout made for another claim').to.equal('refused');
  });

  it('is checked by an active finance officer and approved by an active finance approver of the paying fund’s bureau, each at their step', async () => {
    const submitted = async () => {
      const id = randomUUID();
      await storedClaim(db, { id, bank_id: p.bankA, quarter: freshQuarter(), workflow_id: `subsidy-claim-deciders-${id}`, status: 'SUBMITTED', late: false, total: '60.00', filed_on: today, filed_by: p.bankOfficer.id });
      return id;
    };
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const owner = adminOf(db);
    const [retired] = await owner('users').insert({ username: `retired-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: p.bureau, active: false }).returning('id');
    const [elsewhere] = await owner('organisations').insert({ type: 'finance_bureau', name: `Attack bureau ${randomUUID().slice(0, 8)}`, region: 'Jilin' }).returning('id');
    const [outsider] = await owner('users').insert({ username: `outside-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: elsewhere.id }).returning('id');
    const otherFund = await openFund(db, { bureauId: elsewhere.id, year: 2026 });
    const ourFund = await openFund(db, { bureauId: p.bureau, year: 2026 });

    const a = await submitted();
    const b = await submitted();
    const c = await submitted();
    const outcome = {
      checkedByTheBank: await code(db('subsidy_claims').where({ id: a }).update({ status: 'CHECKED', checked_by: p.bankOfficer.id })),
      checkedByAnApprover: await code(db('subsidy_claims').where({ id: a }).update({ status: 'CHECKED', checked_by: p.approver.userId })),
      rejectedByTheBank: await code(db('subsidy_claims').where({ id: a }).update({ status: 'REJECTED', checked_by: p.bankOfficer.id, rejected_by: p.bankOfficer.id, rejection_reason: 'x' })),
      // Checked as the workflow checks, then rewritten and approved by the wrong people.
      checked: await code(db('subsidy_claims').where({ id: b }).update({ status: 'CHECKED', checked_by: p.officer.userId })),
      checkerRewritten: await code(db('subsidy_claims').where({ id: b }).update({ checked_by: p.approver.userId })),
      approvedByTheBank: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: p.bankOfficer.id })),
      approvedByARetiredApprover: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: retired.id })),
      approvedByTheChecker: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: p.officer.userId })),
      approvedByAnotherBureau: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: outsider.id, status: 'PENDING_BUDGET', fund_id: ourFund.id })),
      approvedBeforeTheCheck: await code(db('subsidy_claims').where({ id: c }).update({ approved_by: p.approver.userId })),
      approved: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: p.approver.userId })),
      paidFromAnotherBureau: await code(db('subsidy_claims').where({ id: b }).update({ status: 'PENDING_BUDGET', fund_id: otherFund.id })),
      approverRewritten: await code(db('subsidy_claims').where({ id: b }).update({ approved_by: retired.id })),
      rejectedByTheBankLater: await code(db('subsidy_claims').where({ id: b }).update({ status: 'REJECTED', rejected_by: p.bankOfficer.id, rejection_reason: 'x' })),
    };
    expect(outcome).to.deep.equal({
      checkedByTheBank: '42501', checkedByAnApprover: '42501', rejectedByTheBank: '42501',
      checked: 'allowed', checkerRewritten: '42501', approvedByTheBank: '42501', approvedByARetiredApprover: '42501', approvedByTheChecker: '42501',
      approvedByAnotherBureau: '42501', approvedBeforeTheCheck: '42501', approved: 'allowed', paidFromAnotherBureau: '42501', approverRewritten: '42501',
      rejectedByTheBankLater: '42501',
    });
  });
});
