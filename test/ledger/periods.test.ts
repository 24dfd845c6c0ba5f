import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { accountCode, closePeriod, getPeriod, postEntry, reverseEntry, PeriodClosedError, type PostEntryInput } from '../../db/ledger';
import { createOrg, financeStaff, privateDb, rawPost, reopenWithTwoPeople, uniqueKey, until, type FinanceStaff } from './helpers';
import { adminOf } from '../support/env';

describe('ledger: closed periods (private database)', () => {
  let db: Knex;
  let bank: string;
  let staff: FinanceStaff;
  before(async () => {
    // Quarters are global: close them in a database of our own, never in the shared one. Only a
    // quarter that has ended closes, so these are past ones.
    db = await privateDb(await testEnv(), 'ledger_periods');
    bank = await createOrg(db, 'bank');
    staff = await financeStaff(db);
  });
  after(async () => {
    await db?.destroy();
  });

  const entry = (key: string, postedOn: string): PostEntryInput => ({
    idempotencyKey: key,
    postedOn,
    kind: 'loan.repayment',
    lines: [
      { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '12.34' },
      { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '12.34' },
    ],
  });

  it('refuses postings dated in a closed quarter, in the database, and takes them again once reopened', async () => {
    const firstKey = uniqueKey('q1');
    const first = await postEntry(db, entry(firstKey, '2023-01-15'));
    const closed = await closePeriod(db, '2023Q1', { actorId: staff.approver.userId });
    expect(closed.status).to.equal('closed');
    expect(closed.closedAt).to.be.a('string');

    const err = await postEntry(db, entry(uniqueKey('late'), '2023-03-31')).catch((e) => e);
    expect(err).to.be.instanceOf(PeriodClosedError);
    expect(err.quarter).to.equal('2023Q1');

    // Also without the TypeScript layer.
    const raw = await rawPost(db, [{ key: uniqueKey('raw'), postedOn: '2023-02-01', lines: entry(uniqueKey('x'), '2023-02-01').lines }]).catch((e) => e);
    expect(raw.code).to.equal('LF002');

    // Neighbouring quarters stay open.
    await postEntry(db, entry(uniqueKey('q2'), '2023-04-01'));
    await postEntry(db, entry(uniqueKey('q4'), '2022-12-31'));

    // A retry of an entry posted before the close still gets its entry back.
    expect((await postEntry(db, entry(firstKey, '2023-01-15'))).id).to.equal(first.id);

    // The correction of a closed quarter's entry is a reversal dated in an open one.
    const revInClosed = await reverseEntry(db, { entryId: first.id, idempotencyKey: uniqueKey('fix'), postedOn: '2023-03-30' }).catch((e) => e);
    expect(revInClosed).to.be.instanceOf(PeriodClosedError);
    const rev = await reverseEntry(db, { entryId: first.id, idempotencyKey: uniqueKey('fix'), postedOn: '2023-04-02' });
    expect(rev.reversesEntryId).to.equal(first.id);

    expect((await reopenWithTwoPeople(db, '2023Q1', staff)).status).to.equal('open');
    await postEntry(db, entry(uniqueKey('reopened'), '2023-03-31'));
  });

  it('closing waits for a posting in flight, so nothing slips into a quarter after it closed', async () => {
    const key = uniqueKey('in-flight');
    const trx = await db.transaction();
    await postEntry(trx, entry(key, '2023-05-05')); // not committed yet
    const closing = closePeriod(db, '2023Q2', { actorId: staff.approver.userId });
    // The close is waiting on the posting's transaction (a lock wait, visible in pg_stat_activity).
    await until(async () => {
      const { rows } = await db.raw(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%period_close%'`,
      );
      return rows[0].n > 0;
    }, 'the close to wait for the open posting');
    expect((await getPeriod(db, '2023Q2')).status).to.equal('open');
    await trx.commit();
    await closing;
    expect((await getPeriod(db, '2023Q2')).status).to.equal('closed');
    expect(await db('ledger_entries').where({ idempotency_key: key }).first()).to.not.equal(undefined);
    const after = await postEntry(db, entry(uniqueKey('after'), '2023-05-06')).catch((e) => e);
    expect(after).to.be.instanceOf(PeriodClosedError);
  });

  it('period rows are never deleted', async () => {
    await closePeriod(db, '2024Q1', { actorId: staff.approver.userId });
    // The application may not even try; the owner is refused by the table's guard.
    const err = await db('accounting_periods').where({ quarter: '2024Q1' }).delete().catch((e) => e);
    expect(err.code).to.equal('42501');
    const owner = await adminOf(db)('accounting_periods').where({ quarter: '2024Q1' }).delete().catch((e) => e);
    expect(owner.code).to.match(/^(LF006|42501)$/);
  });
});
