import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { accountCode, postEntry, reverseEntry, sealLedger, ReversalError, getEntry, accountBalance } from '../../db/ledger';
import { createOrg, uniqueKey } from './helpers';

describe('ledger: append-only, corrections by reversal (real PostgreSQL)', () => {
  let db: Knex;
  let bank: string;
  before(async () => {
    db = (await testEnv()).db;
    bank = await createOrg(db, 'bank');
  });

  const entry = (key: string, amount = '100.00') =>
    postEntry(db, {
      idempotencyKey: key,
      postedOn: '2027-03-01',
      kind: 'loan.disbursal',
      lines: [
        { account: accountCode.bank(bank, 'loans_receivable'), side: 'debit', amount },
        { account: accountCode.bank(bank, 'cash'), side: 'credit', amount },
      ],
    });

  const attemptsOn = (e: { id: number }): Array<[string, string]> => {
    const attempts: Array<[string, string]> = [
      ['ledger_entries', `update ledger_entries set description = 'changed' where id = ${e.id}`],
      ['ledger_entries', `delete from ledger_entries where id = ${e.id}`],
      ['ledger_lines', `update ledger_lines set amount = 1 where entry_id = ${e.id}`],
      ['ledger_lines', `delete from ledger_lines where entry_id = ${e.id}`],
      ['ledger_accounts', `update ledger_accounts set allow_negative = true where code = '${accountCode.bank(bank, 'cash')}'`],
      ['ledger_accounts', `delete from ledger_accounts where code = '${accountCode.bank(bank, 'cash')}'`],
      ['ledger_chart', `update ledger_chart set allow_negative = true`],
      ['ledger_seals', `update ledger_seals set head_hash = repeat('0', 64)`],
      ['ledger_seals', `delete from ledger_seals`],
      ['ledger_balances', `update ledger_balances set debit_total = 0`],
      ['ledger_balances', `delete from ledger_balances`],
      ['ledger_balances', `insert into ledger_balances (account_id, normal_side, allow_negative) values (-1, 'debit', true)`],
    ];
    for (const t of ['ledger_entries', 'ledger_lines', 'ledger_accounts', 'ledger_chart', 'ledger_seals', 'ledger_balances', 'funds', 'accounting_periods']) {
      attempts.push([t, `truncate ${t} cascade`]);
    }
    return attempts;
  };

  /** Every attempt on a new, sealed entry, made as `who`, fails with SQLSTATE `code` naming its table; the entry is unchanged. */
  const expectAllRefused = async (key: string, who: Knex, code: string) => {
    const e = await entry(uniqueKey(key));
    await sealLedger(db);
    for (const [table, sql] of attemptsOn(e)) {
      const err = await who.raw(sql).catch((x) => x);
      expect(err, sql).to.be.instanceOf(Error);
      expect(err.code, `${sql}: ${err.message}`).to.equal(code);
      expect(err.message, sql).to.contain(table);
    }
    expect((await getEntry(db, e.id)).description).to.equal('');
  };

  it('UPDATE, DELETE and TRUNCATE are refused on every ledger table, by its triggers even for the owner', async () => {
    await expectAllRefused('ao', (await testEnv()).adminDb, 'LF006');
  });

  it("and the application's role lacks the privilege itself (balances change only inside the posting function)", async () => {
    await expectAllRefused('ao-app', db, '42501');
  });

  it('a correction is a reversal: sides swapped, linked, in its own (open) date, once only', async () => {
    const original = await entry(uniqueKey('orig'), '250.00');
    const before = await accountBalance(db, accountCode.bank(bank, 'loans_receivable'));
    const key = uniqueKey('rev');
    const rev = await reverseEntry(db, { entryId: original.id, idempotencyKey: key, postedOn: '2027-04-02' });
    expect(rev.reversesEntryId).to.equal(original.id);
    expect(rev.kind).to.equal('reversal');
    expect(rev.lines.map((l) => [l.account, l.side, l.amount])).to.deep.equal(
      original.lines.map((l) => [l.account, l.side === 'debit' ? 'credit' : 'debit', l.amount]),
    );
    const after = await accountBalance(db, accountCode.bank(bank, 'loans_receivable'));
    expect(after.credits).to.not.equal(before.credits);
    // A retried reversal (same key) is the same entry; another reversal is refused.
    expect((await reverseEntry(db, { entryId: original.id, idempotencyKey: key, postedOn: '2027-04-02' })).id).to.equal(rev.id);
    const twice = await reverseEntry(db, { entryId: original.id, idempotencyKey: uniqueKey('rev'), postedOn: '2027-04-03' }).catch((x) => x);
    expect(twice).to.be.instanceOf(ReversalError);
    expect(twice.entryId).to.equal(original.id);
  });

  it('the database refuses a "reversal" that does not mirror its original', async () => {
    const original = await entry(uniqueKey('orig'), '40.00');
    const err = await postEntry(db, {
      idempotencyKey: uniqueKey('fake-rev'),
      postedOn: '2027-04-02',
      kind: 'reversal',
      reversesEntryId: original.id,
      lines: [
        { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '39.00' },
        { account: accountCode.bank(bank, 'loans_receivable'), side: 'credit', amount: '39.00' },
      ],
    }).catch((x) => x);
    expect(err).to.be.instanceOf(ReversalError);
    expect(err.message).to.contain('not the original');
  });
});
