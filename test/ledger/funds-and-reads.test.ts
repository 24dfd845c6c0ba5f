import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import {
  accountBalance,
  accountCode,
  accrueSubsidy,
  allocateBudget,
  FundNotFoundError,
  getFundStatus,
  InsufficientBudgetError,
  listEntries,
  payOut,
  releaseReservation,
  reserveBudget,
  trialBalance,
  UnknownAccountError,
  LedgerValidationError,
} from '../../db/ledger';
import { createFundFixture, uniqueKey } from './helpers';
import { approvedSubsidyClaim, financeOfficerOf } from '../support/funds';
import { createFund } from '../../usecases/funds';
import { DomainError } from '../../domain/errors';

describe('ledger: special fund and reads (real PostgreSQL)', () => {
  let db: Knex;
  before(async () => {
    db = (await testEnv()).db;
  });

  it('one fund per bureau, programme and year: a second is refused; another programme is not; unknown funds are not found', async () => {
    const { fund, bureauId } = await createFundFixture(db, 2031);
    const actor = await financeOfficerOf(db, bureauId);
    const again = await createFund({ db }, { programme: 'interest_subsidy', year: 2031, name: 'other name', actor, requestId: null }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(DomainError).and.to.include({ code: 'CONFLICT' });
    expect(await db('funds').where({ finance_bureau_org_id: bureauId }).count('* as n').first()).to.deep.equal({ n: 1 });
    // The database itself refuses the duplicate, whoever writes it.
    const direct = await db('funds').insert({ programme: 'interest_subsidy', year: 2031, finance_bureau_org_id: bureauId, name: 'x' }).catch((e: unknown) => e);
    expect(direct).to.include({ code: '23505', constraint: 'funds_bureau_programme_year_key' });
    const training = await createFund({ db }, { programme: 'training_subsidy', year: 2031, name: 'Training subsidy 2031', actor, requestId: null });
    expect(training).to.include({ programme: 'training_subsidy', year: 2031, budget: '0.00', lapsed: '0.00' });
    expect(await db('audit_log').where({ action: 'fund.created', entity_id: training.id }).count('* as n').first()).to.deep.equal({ n: 1 });
    expect(await getFundStatus(db, fund.id)).to.deep.equal({ id: fund.id, year: 2031, budget: '0.00', reserved: '0.00', paid: '0.00', available: '0.00', lapsed: '0.00' });
    await getFundStatus(db, '00000000-0000-0000-0000-000000000000').then(
      () => expect.fail('found'),
      (e) => expect(e).to.be.instanceOf(FundNotFoundError),
    );
    await getFundStatus(db, 'not-a-uuid').then(
      () => expect.fail('found'),
      (e) => expect(e).to.be.instanceOf(FundNotFoundError),
    );
  });

  it('allocation, reservation, release and payout move budget → available → reserved → paid', async () => {
    const { fund, bankId, bureauId } = await createFundFixture(db);
    const on = '2027-01-10';
    await allocateBudget(adminOf(db), { fundId: fund.id, amount: '500000.00', postedOn: on, idempotencyKey: uniqueKey('a') });
    await allocateBudget(adminOf(db), { fundId: fund.id, amount: '250000.50', postedOn: on, idempotencyKey: uniqueKey('a') });
    await accrueSubsidy(db, { bankOrgId: bankId, amount: '30000.00', postedOn: '2027-03-31', idempotencyKey: uniqueKey('s') });
    await reserveBudget(db, { fundId: fund.id, amount: '30000.00', postedOn: '2027-04-08', idempotencyKey: uniqueKey('r') });
    await releaseReservation(db, { fundId: fund.id, amount: '1000.00', postedOn: '2027-04-09', idempotencyKey: uniqueKey('rel') });
    const claimId = await approvedSubsidyClaim(db, { bankId, bureauId, total: '29000.00' });
    await payOut(db, { fundId: fund.id, bankOrgId: bankId, amount: '29000.00', postedOn: '2027-04-20', idempotencyKey: uniqueKey('p'), metadata: { claimId } });
    expect(await getFundStatus(db, fund.id)).to.deep.equal({
      id: fund.id,
      year: 2027,
      budget: '750000.50',
      reserved: '0.00',
      paid: '29000.00',
      available: '721000.50',
      lapsed: '0.00',
    });
    // Paying more than reserved is refused as an overspend of the fund.
    const cent = await approvedSubsidyClaim(db, { bankId, bureauId, total: '0.01' });
    const over = await payOut(db, { fundId: fund.id, bankOrgId: bankId, amount: '0.01', postedOn: '2027-04-21', idempotencyKey: uniqueKey('p'), metadata: { claimId: cent } }).catch((e) => e);
    expect(over).to.be.instanceOf(InsufficientBudgetError);
    expect(over.message).to.contain('reserved budget 0.00');
    expect((await accountBalance(db, accountCode.bank(bankId, 'subsidy_payable'))).balance).to.equal('1000.00');
  });

  it('lists entries with lines by account and date range, paged', async () => {
    const { fund } = await createFundFixture(db);
    const days = ['2027-02-01', '2027-02-02', '2027-02-03', '2027-02-04', '2027-02-05'];
    for (const d of days) await allocateBudget(adminOf(db), { fundId: fund.id, amount: '10.00', postedOn: d, idempotencyKey: uniqueKey('a') });
    const account = accountCode.fund(fund.id, 'available');
    const all = await listEntries(db, { account });
    expect(all.total).to.equal(5);
    expect(all.items.map((e) => e.postedOn)).to.deep.equal(days);
    expect(all.items[0]!.lines).to.have.length(2);
    expect(all.items[0]!.lines[0]).to.deep.equal({ lineNo: 1, account, side: 'debit', amount: '10.00' });

    const range = await listEntries(db, { account, from: '2027-02-02', to: '2027-02-04', page: 2, pageSize: 2 });
    expect(range).to.deep.include({ total: 3, page: 2, pageSize: 2 });
    expect(range.items.map((e) => e.postedOn)).to.deep.equal(['2027-02-04']);
    expect((await listEntries(db, { account: `fund:${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}:available` })).total).to.equal(0);
    await listEntries(db, { pageSize: 10_000 }).then(
      () => expect.fail('accepted'),
      (e) => expect(e).to.be.instanceOf(LedgerValidationError),
    );
  });

  it('balance as of a date, and a trial balance whose debit and credit columns agree', async () => {
    const { fund } = await createFundFixture(db);
    await allocateBudget(adminOf(db), { fundId: fund.id, amount: '100.00', postedOn: '2027-01-01', idempotencyKey: uniqueKey('a') });
    await reserveBudget(db, { fundId: fund.id, amount: '30.00', postedOn: '2027-02-01', idempotencyKey: uniqueKey('r') });
    const code = accountCode.fund(fund.id, 'available');
    expect(await accountBalance(db, code, '2026-12-31')).to.deep.include({ debits: '0.00', credits: '0.00', balance: '0.00', asOf: '2026-12-31' });
    expect(await accountBalance(db, code, '2027-01-31')).to.deep.include({ balance: '100.00' });
    expect(await accountBalance(db, code)).to.deep.include({ debits: '100.00', credits: '30.00', balance: '70.00', type: 'asset', normalSide: 'debit', asOf: null });
    await accountBalance(db, `bank:${'1'.repeat(8)}-1111-1111-1111-${'1'.repeat(12)}:cash`).then(
      () => expect.fail('found'),
      (e) => expect(e).to.be.instanceOf(UnknownAccountError),
    );

    for (const asOf of [undefined, '2027-01-15', '2030-12-31']) {
      const tb = await trialBalance(db, asOf);
      expect(tb.balanced, String(asOf)).to.equal(true);
      expect(tb.totalDebits).to.equal(tb.totalCredits);
      const mine = tb.accounts.filter((a) => a.account.startsWith(`fund:${fund.id}:`));
      const byCode = Object.fromEntries(mine.map((a) => [a.account.split(':')[2], a]));
      if (asOf === '2027-01-15') {
        expect(byCode.available).to.deep.include({ debitBalance: '100.00', creditBalance: '0.00' });
        expect(byCode.budget).to.deep.include({ debitBalance: '0.00', creditBalance: '100.00', balance: '100.00' });
      } else {
        expect(byCode.available).to.deep.include({ debitBalance: '70.00', balance: '70.00' });
        expect(byCode.reserved).to.deep.include({ debitBalance: '30.00' });
      }
    }
  });
});
