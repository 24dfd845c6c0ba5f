import { expect } from 'chai';
import { approvedSubsidyClaim } from '../support/funds';
import type { Knex } from 'knex';
import { testEnv, withOwner } from '../support/env';
import { createDb } from '../../db/knex';
import {
  accountBalance,
  accountCode,
  accrueSubsidy,
  allocateBudget,
  getFundStatus,
  InsufficientBudgetError,
  payOut,
  postEntry,
  reserveBudget,
  type PostedEntry,
} from '../../db/ledger';
import { createFundFixture, createOrg, uniqueKey } from './helpers';
import { sumMoney } from '../../domain/money';

describe('ledger: the fund budget under concurrency (real PostgreSQL)', function () {
  this.timeout(60_000);
  let db: Knex;
  /** The schema's owner: only it allocates a budget outside a top-up. */
  let owner: Knex;
  before(async () => {
    const env = await testEnv();
    owner = env.adminDb;
    // A pool of its own, wide enough for every request to be in flight at once.
    db = withOwner(createDb(env.databaseUrl, { max: 60 }), owner);
  });
  after(async () => {
    await db?.destroy();
  });

  function settle<T>(ps: Array<Promise<T>>) {
    return Promise.allSettled(ps).then((rs) => ({
      ok: rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
      errors: rs.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown),
    }));
  }

  it('50 concurrent payouts against a budget that holds exactly 10: 10 succeed, 40 get InsufficientBudgetError, sums match', async () => {
    const { fund, bankId, bureauId } = await createFundFixture(db);
    await allocateBudget(owner, { fundId: fund.id, amount: '1000.00', postedOn: '2027-01-02', idempotencyKey: uniqueKey('alloc') });
    await accrueSubsidy(db, { bankOrgId: bankId, amount: '5000.00', postedOn: '2027-01-02', idempotencyKey: uniqueKey('accrue') });
    // Fifty approved claims of 100.00: a fund pays only a claim (docs/ledger.md).
    const claims = await Promise.all(Array.from({ length: 50 }, () => approvedSubsidyClaim(db, { bankId, bureauId, total: '100.00' })));

    const { ok, errors } = await settle(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction((trx) =>
          payOut(trx, {
            fundId: fund.id, bankOrgId: bankId, amount: '100.00', fromReservation: false, postedOn: '2027-04-10', idempotencyKey: uniqueKey(`payout-${i}`),
            metadata: { claimId: claims[i] },
          }),
        ),
      ),
    );
    expect(ok).to.have.length(10);
    expect(errors).to.have.length(40);
    for (const e of errors) {
      expect(e).to.be.instanceOf(InsufficientBudgetError);
      expect((e as InsufficientBudgetError).fundId).to.equal(fund.id);
      expect((e as InsufficientBudgetError).message).to.match(/insufficient budget/);
    }
    expect(await getFundStatus(db, fund.id)).to.deep.equal({
      id: fund.id,
      year: 2027,
      budget: '1000.00',
      reserved: '0.00',
      paid: '1000.00',
      available: '0.00',
      lapsed: '0.00',
    });
    expect((await accountBalance(db, accountCode.bank(bankId, 'subsidy_payable'))).balance).to.equal('4000.00');
    const payouts = await db('ledger_entries').where({ kind: 'fund.payout' }).whereRaw(`metadata->>'fundId' = ?`, [fund.id]).count<{ n: number }[]>({ n: '*' });
    expect(payouts[0]!.n).to.equal(10);
  });

  it('reservations race the same way, and a payout never exceeds what was reserved', async () => {
    const { fund, bankId, bureauId } = await createFundFixture(db);
    await allocateBudget(owner, { fundId: fund.id, amount: '999.99', postedOn: '2027-01-02', idempotencyKey: uniqueKey('alloc') });
    await accrueSubsidy(db, { bankOrgId: bankId, amount: '5000.00', postedOn: '2027-01-02', idempotencyKey: uniqueKey('accrue') });
    const reserved = await settle(
      Array.from({ length: 30 }, () => reserveBudget(db, { fundId: fund.id, amount: '100.00', postedOn: '2027-04-01', idempotencyKey: uniqueKey('res') })),
    );
    expect(reserved.ok).to.have.length(9); // 999.99 holds nine 100.00
    expect(reserved.errors.every((e) => e instanceof InsufficientBudgetError)).to.equal(true);
    const paid = await settle(
      (await Promise.all(Array.from({ length: 20 }, () => approvedSubsidyClaim(db, { bankId, bureauId, total: '50.00' })))).map((claimId) =>
        payOut(db, { fundId: fund.id, bankOrgId: bankId, amount: '50.00', postedOn: '2027-04-20', idempotencyKey: uniqueKey('pay'), metadata: { claimId } }),
      ),
    );
    expect(paid.ok).to.have.length(18);
    expect(await getFundStatus(db, fund.id)).to.include({ budget: '999.99', reserved: '0.00', paid: '900.00', available: '99.99' });
  });

  it('postings over the same accounts in opposite orders neither deadlock nor lose updates', async () => {
    const banks = await Promise.all([createOrg(db, 'bank'), createOrg(db, 'bank'), createOrg(db, 'bank')]);
    const accounts = banks.map((b) => accountCode.bank(b, 'cash'));
    const postings = Array.from({ length: 60 }, (_, i) => {
      const order = i % 2 === 0 ? accounts : [...accounts].reverse();
      const amount = `${(i % 7) + 1}.25`;
      return postEntry(db, {
        idempotencyKey: uniqueKey(`cross-${i}`),
        postedOn: '2027-05-01',
        kind: 'test.cross',
        lines: [
          { account: order[0]!, side: 'debit', amount },
          { account: order[1]!, side: 'debit', amount },
          { account: order[2]!, side: 'credit', amount: sumMoney([amount, amount]).toFixed(2) },
        ],
      });
    });
    const results: PostedEntry[] = await Promise.all(postings);
    expect(results).to.have.length(60);
    for (const code of accounts) {
      const b = await accountBalance(db, code);
      const { rows } = await db.raw(
        `select coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end), 0)::numeric(20,2) as net
           from ledger_lines l join ledger_accounts a on a.id = l.account_id where a.code = ?`,
        [code],
      );
      expect(b.balance, code).to.equal(rows[0].net);
    }
  });
});
