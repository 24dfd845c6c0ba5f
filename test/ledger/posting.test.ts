import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import {
  accountCode,
  getEntry,
  IdempotencyConflictError,
  LedgerValidationError,
  postEntry,
  postEntries,
  UnbalancedEntryError,
  UnknownAccountError,
  accountBalance,
  InsufficientBalanceError,
  sealLedger,
  type PostEntryInput,
} from '../../db/ledger';
import { createOrg, rawPost, uniqueKey, type RawEntry } from './helpers';
import { toMoney } from '../../domain/money';

describe('ledger postings (real PostgreSQL)', () => {
  let db: Knex;
  let bank: string;
  let bank2: string;

  before(async () => {
    db = (await testEnv()).db;
    bank = await createOrg(db, 'bank');
    bank2 = await createOrg(db, 'bank');
  });

  const disbursal = (key: string, amount = '80000.00'): PostEntryInput => ({
    idempotencyKey: key,
    postedOn: '2027-02-10',
    kind: 'loan.disbursal',
    description: 'Disbursal',
    metadata: { loanId: 'L-1' },
    lines: [
      { account: accountCode.bank(bank, 'loans_receivable'), side: 'debit', amount },
      { account: accountCode.bank(bank, 'cash'), side: 'credit', amount },
    ],
  });

  describe('idempotency', () => {
    it('a retry with the same key and content returns the first entry and writes nothing', async () => {
      const key = uniqueKey('disbursal');
      const before = await accountBalance(db, accountCode.bank(bank, 'cash')).catch(() => undefined);
      const first = await postEntry(db, disbursal(key));
      expect(first.replayed).to.equal(false);
      // Same content, different spelling: "80000" = "80000.00", metadata key order, line order.
      const again = await postEntry(db, {
        ...disbursal(key, '80000'),
        metadata: { loanId: 'L-1' },
        lines: [...disbursal(key, '80000').lines].reverse(),
      });
      expect(again.replayed).to.equal(true);
      expect(again.id).to.equal(first.id);
      expect(again.lines).to.deep.equal(first.lines);
      const after = await accountBalance(db, accountCode.bank(bank, 'cash'));
      const was = toMoney(before ? before.credits : '0');
      expect(toMoney(after.credits).minus(was).toFixed(2)).to.equal('80000.00'); // once, not twice
      expect(await db('ledger_entries').where({ idempotency_key: key }).count<{ n: number }[]>({ n: '*' })).to.deep.equal([{ n: 1 }]);
    });

    it('the same key with other content is an IdempotencyConflictError naming what differs', async () => {
      const key = uniqueKey('disbursal');
      const first = await postEntry(db, disbursal(key));
      const err = await postEntry(db, disbursal(key, '70000.00')).catch((e) => e);
      expect(err).to.be.instanceOf(IdempotencyConflictError);
      expect(err.entryId).to.equal(first.id);
      expect(err.differences).to.deep.equal(['lines']);
      const err2 = await postEntry(db, { ...disbursal(key), postedOn: '2027-02-11', description: 'other' }).catch((e) => e);
      expect(err2).to.be.instanceOf(IdempotencyConflictError);
      expect(err2.differences).to.deep.equal(['postedOn', 'description']);
    });

    it('content is compared as values: metadata keys in another order and lines in another order are the same entry', async () => {
      const key = uniqueKey('values');
      const base = { ...disbursal(key, '5.00'), metadata: { loanId: 'L-1', period: 3 } };
      const first = await postEntry(db, base);
      const again = await postEntry(db, { ...base, metadata: { period: 3, loanId: 'L-1' }, lines: [...base.lines].reverse() });
      expect(again).to.include({ id: first.id, replayed: true });
      const other = await postEntry(db, { ...base, metadata: { loanId: 'L-1', period: 4 } }).catch((e) => e);
      expect(other).to.be.instanceOf(IdempotencyConflictError);
      expect(other.differences).to.deep.equal(['metadata']);
    });

    it('concurrent postings with one key write one entry; all callers get it', async () => {
      const key = uniqueKey('race');
      const results = await Promise.all(Array.from({ length: 12 }, () => postEntry(db, disbursal(key, '10.00'))));
      expect(new Set(results.map((r) => r.id)).size).to.equal(1);
      expect(results.filter((r) => !r.replayed)).to.have.length(1);
      const lines = await db('ledger_lines').where({ entry_id: results[0]!.id });
      expect(lines).to.have.length(2);
    });
  });

  describe('batches (postEntries: one round trip, all or none)', () => {
    it('posts many entries in input order; repeated keys (in the batch or from before) are replays', async () => {
      const before = uniqueKey('batch-before');
      const first = await postEntry(db, disbursal(before, '1.00'));
      const k1 = uniqueKey('batch');
      const k2 = uniqueKey('batch');
      const out = await postEntries(db, [disbursal(k1, '2.00'), disbursal(before, '1.00'), disbursal(k2, '3.00'), disbursal(k1, '2.00')]);
      expect(out.map((e) => e.replayed)).to.deep.equal([false, true, false, true]);
      expect(out[1]!.id).to.equal(first.id);
      expect(out[3]!.id).to.equal(out[0]!.id);
      expect(out[0]!.id).to.be.lessThan(out[2]!.id);
      expect(out[2]!.lines.map((l) => l.amount)).to.deep.equal(['3.00', '3.00']);
      expect(await db('ledger_lines').where({ entry_id: out[0]!.id }).count<{ n: number }[]>({ n: '*' })).to.deep.equal([{ n: 2 }]);
    });

    it('a conflict or refusal anywhere in the batch writes nothing', async () => {
      const k1 = uniqueKey('batch');
      const k2 = uniqueKey('batch');
      const conflict = await postEntries(db, [disbursal(k1, '2.00'), disbursal(k2, '3.00'), disbursal(k1, '2.50')]).catch((e) => e);
      expect(conflict).to.be.instanceOf(IdempotencyConflictError);
      const overdraw = await postEntries(db, [
        disbursal(k1, '2.00'),
        {
          ...disbursal(k2, '1.00'),
          lines: [
            { account: accountCode.bank(bank2, 'cash'), side: 'debit', amount: '1.00' },
            { account: accountCode.bank(bank2, 'loans_receivable'), side: 'credit', amount: '1.00' },
          ],
        },
      ]).catch((e) => e);
      expect(overdraw).to.be.instanceOf(InsufficientBalanceError);
      const invalid = await postEntries(db, [disbursal(k1, '2.00'), disbursal(k2, '-3.00')]).catch((e) => e);
      expect(invalid).to.be.instanceOf(LedgerValidationError);
      expect(invalid.details[0].path).to.equal('entries.1.lines.0.amount');
      expect(await db('ledger_entries').whereIn('idempotency_key', [k1, k2]).count<{ n: number }[]>({ n: '*' })).to.deep.equal([{ n: 0 }]);
    });
  });

  describe('inside the caller transaction', () => {
    it('commits with the caller and disappears with its rollback', async () => {
      const kept = uniqueKey('kept');
      const dropped = uniqueKey('dropped');
      await db.transaction(async (trx) => {
        await postEntry(trx, disbursal(kept, '5.00'));
      });
      await db
        .transaction(async (trx) => {
          await postEntry(trx, disbursal(dropped, '5.00'));
          throw new Error('caller fails after posting');
        })
        .catch(() => undefined);
      expect(await db('ledger_entries').where({ idempotency_key: kept }).first()).to.not.equal(undefined);
      expect(await db('ledger_entries').where({ idempotency_key: dropped }).first()).to.equal(undefined);
    });

    it('a refusal inside a savepoint leaves the caller transaction usable', async () => {
      const ok = uniqueKey('after-refusal');
      await db.transaction(async (trx) => {
        const err = await trx
          .transaction((sp) =>
            postEntry(sp, {
              ...disbursal(uniqueKey('overdraw'), '1.00'),
              // loans receivable may not go negative: crediting a fresh bank's receivable is refused
              lines: [
                { account: accountCode.bank(bank2, 'cash'), side: 'debit', amount: '1.00' },
                { account: accountCode.bank(bank2, 'loans_receivable'), side: 'credit', amount: '1.00' },
              ],
            }),
          )
          .catch((e) => e);
        expect(err).to.be.instanceOf(InsufficientBalanceError);
        await postEntry(trx, disbursal(ok, '1.00'));
      });
      expect(await db('ledger_entries').where({ idempotency_key: ok }).first()).to.not.equal(undefined);
    });
  });

  describe('refusals before the database', () => {
    it('refuses unbalanced entries, single lines, bad amounts, numbers for money', async () => {
      const base = disbursal(uniqueKey('bad'));
      await postEntry(db, { ...base, lines: [base.lines[0]!, { ...base.lines[1]!, amount: '79999.99' }] }).then(
        () => expect.fail('posted'),
        (e) => expect(e).to.be.instanceOf(UnbalancedEntryError),
      );
      await postEntry(db, { ...base, lines: [base.lines[0]!] }).then(
        () => expect.fail('posted'),
        (e) => expect(e).to.be.instanceOf(LedgerValidationError),
      );
      for (const amount of ['0', '0.00', '-5.00', '1.001', 'abc', '12345678901234567.00']) {
        const e = await postEntry(db, { ...base, lines: base.lines.map((l) => ({ ...l, amount })) }).catch((x) => x);
        expect(e, amount).to.be.instanceOf(LedgerValidationError);
        expect(e.details[0].path).to.equal('lines.0.amount');
      }
      const e = await postEntry(db, { ...base, lines: base.lines.map((l) => ({ ...l, amount: 5 as unknown as string })) }).catch((x) => x);
      expect(e).to.be.instanceOf(LedgerValidationError);
      const e2 = await postEntry(db, { ...base, postedOn: '2027-02-30' }).catch((x) => x);
      expect(e2).to.be.instanceOf(LedgerValidationError);
      expect(e2.details[0].path).to.equal('postedOn');
    });

    it('refuses codes outside the chart and organisations that are not what the code says', async () => {
      const base = disbursal(uniqueKey('chart'));
      const notCharted = await postEntry(db, { ...base, lines: [base.lines[0]!, { ...base.lines[1]!, account: `bank:${bank}:petty_cash` }] }).catch((e) => e);
      expect(notCharted).to.be.instanceOf(UnknownAccountError);
      const bureau = await createOrg(db, 'finance_bureau');
      const wrongType = await postEntry(db, { ...base, lines: [base.lines[0]!, { ...base.lines[1]!, account: `bank:${bureau}:cash` }] }).catch((e) => e);
      expect(wrongType).to.be.instanceOf(UnknownAccountError);
      expect(wrongType.message).to.contain('no bank organisation');
    });
  });

  describe('rules the database enforces on its own (its posting function called straight, no TypeScript checks)', () => {
    const cash = () => accountCode.bank(bank, 'cash');
    const income = () => accountCode.bank(bank, 'interest_income');
    const raw = (entries: RawEntry[]) => rawPost(db, entries).catch((e) => e);

    it('an unbalanced entry is refused, and nothing of its batch is written', async () => {
      const good = uniqueKey('raw-good');
      const err = await raw([
        { key: good, postedOn: '2027-02-10', lines: [{ account: cash(), side: 'debit', amount: '1.00' }, { account: income(), side: 'credit', amount: '1.00' }] },
        { key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [{ account: cash(), side: 'debit', amount: '10.00' }, { account: income(), side: 'credit', amount: '9.99' }] },
      ]);
      expect(err.code).to.equal('LF003');
      expect(err.message).to.contain('entry 2 of the batch does not balance');
      expect(await db('ledger_entries').where({ idempotency_key: good }).first()).to.equal(undefined);
    });

    it('an entry with one line, or with none, is refused; amounts ≤ 0 and unknown sides never get in', async () => {
      const one = await raw([{ key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [{ account: cash(), side: 'debit', amount: '10.00' }] }]);
      expect(one.code).to.equal('LF003');
      expect(one.message).to.contain('has 1 line');
      const none = await raw([
        { key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [{ account: cash(), side: 'debit', amount: '1.00' }, { account: income(), side: 'credit', amount: '1.00' }] },
        { key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [] },
      ]);
      expect(none.code).to.equal('LF003');
      expect(none.message).to.contain('entry 2 of the batch has no lines');
      // Balanced, so that the tables' own CHECKs are what refuses them.
      const cases: Array<[string, string]> = [
        ['credit', '0.00'],
        ['credit', '-1.00'],
        ['both', '1.00'],
      ];
      for (const [side, amount] of cases) {
        const e = await raw([{ key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [{ account: cash(), side: 'debit', amount }, { account: income(), side, amount }] }]);
        expect(e.code, `${side} ${amount}`).to.equal('23514');
      }
    });

    it("an entry's lines are numbered 1..n, each line belongs to an entry of the batch, and the arrays agree", async () => {
      const lines = (a: number, b: number) => [
        { account: cash(), side: 'debit', amount: '1.00', lineNo: a },
        { account: income(), side: 'credit', amount: '1.00', lineNo: b },
      ];
      const numbers: Array<[number, number]> = [
        [1, 3],
        [2, 3],
        [1, 1],
      ];
      for (const [a, b] of numbers) {
        const err = await raw([{ key: uniqueKey('raw'), postedOn: '2027-02-10', lines: lines(a, b) }]);
        expect(err.code, `${a},${b}`).to.equal('LF006');
        expect(err.message).to.contain('numbered 1..n');
      }
      for (const entry of [0, 2, -1]) {
        const err = await raw([{ key: uniqueKey('raw'), postedOn: '2027-02-10', lines: [{ ...lines(1, 2)[0]!, entry }, lines(1, 2)[1]!] }]);
        expect(err.code, String(entry)).to.equal('LF003');
        expect(err.message).to.contain('malformed batch');
      }
      const short = await db
        .raw(`select * from ledger_post_batch(array['k'], array['2027-02-10'::date], array['raw.test'], array[''], array['{}'::jsonb], array[null::bigint], array[1, 1], array[1, 2], array['${cash()}', '${income()}'], array['debit', 'credit'], array[1.00])`)
        .catch((e) => e);
      expect(short.code).to.equal('LF003');
      expect(short.message).to.contain('array lengths differ');
    });

    it('the tables take rows from the posting function only: no INSERT for the application, refused for the owner', async () => {
      const owner = (await testEnv()).adminDb;
      const entry = await postEntry(db, disbursal(uniqueKey('direct'), '3.00'));
      const cashId = (await db('ledger_accounts').where({ code: cash() }).first('id')).id;
      const attempts: Array<[string, string]> = [
        ['ledger_entries', `insert into ledger_entries (idempotency_key, posted_on, kind) values ('${uniqueKey('direct')}', '2027-02-10', 'raw.test')`],
        ['ledger_entries', `insert into ledger_entries (idempotency_key, posted_on, kind, txid, created_at) values ('${uniqueKey('forged')}', '2027-02-10', 'raw.test', 1, '2020-01-01')`],
        ['ledger_lines', `insert into ledger_lines (entry_id, line_no, account_id, side, amount) values (${entry.id}, 3, ${cashId}, 'debit', 1.00)`],
        ['ledger_accounts', `insert into ledger_accounts (code) values ('bank:${bank2}:cash')`],
        ['ledger_balances', `update ledger_balances set debit_total = debit_total + 1 where account_id = ${cashId}`],
      ];
      for (const [table, sql] of attempts) {
        const app = await db.raw(sql).catch((e) => e);
        expect(app.code, `${sql}: ${app.message}`).to.equal('42501');
        const own = await owner.raw(sql).catch((e) => e);
        expect(own.code, `${sql}: ${own.message}`).to.equal('LF006');
        expect(own.message).to.contain(`${table} is written only by posting`);
      }
      expect((await getEntry(db, entry.id)).lines).to.have.length(2);
    });

    it('a seal continues the chain: right after the seal before it, with entries that exist, in chain order, none chained before', async () => {
      await postEntry(db, disbursal(uniqueKey('chain-old'), '4.00'));
      await sealLedger(db);
      // An entry the chain already holds. Not necessarily the one just posted: a seal takes only
      // entries below every open transaction, and other suites' workers may hold one open.
      const { rows: sealed } = await adminOf(db).raw('select entry_ids[1] as id from ledger_seals order by last_seq desc limit 1');
      expect(sealed, 'a seal exists').to.have.length(1);
      const old = { id: Number(sealed[0].id) };
      const fresh = await postEntry(db, disbursal(uniqueKey('chain-new'), '4.00'));
      const zeros = '0'.repeat(64);
      // As the owner playing ledger_seal's part (the application's role may not insert a seal at all).
      const attempt = (after: number, ids: number[]) =>
        adminOf(db)
          .transaction(async (trx) => {
            await trx.raw(`select set_config('loanflow.ledger_writer', 'seal', true)`);
            const { rows } = await trx.raw('select coalesce(max(last_seq), 0) as last from ledger_seals');
            const first = Number(rows[0].last) + after;
            await trx('ledger_seals').insert({ first_seq: first, last_seq: first + ids.length - 1, entries: ids.length, prev_hash: zeros, head_hash: zeros, entry_ids: ids, hashes: ids.map(() => zeros) });
            throw new Error('inserted');
          })
          .catch((e) => e);
      expect((await attempt(1, [9e12])).code, 'an entry that does not exist').to.equal('LF006');
      expect((await attempt(2, [fresh.id])).code, 'a gap in the chain').to.equal('LF006');
      expect((await attempt(1, [old.id])).code, 'an entry sealed before').to.equal('LF006');
      expect((await attempt(1, [fresh.id, fresh.id])).code, 'an entry twice').to.equal('LF006');
      expect((await attempt(1, [fresh.id])).message).to.equal('inserted');
    });

    it('memo accounts balance among themselves, not against the balance sheet', async () => {
      const gc = await createOrg(db, 'guarantee_company');
      const err = await postEntry(db, {
        ...disbursal(uniqueKey('memo')),
        lines: [
          { account: accountCode.guarantor(gc, 'commitments'), side: 'debit', amount: '5.00' },
          { account: accountCode.bank(bank, 'cash'), side: 'credit', amount: '5.00' },
        ],
      }).catch((e) => e);
      expect(err).to.be.instanceOf(UnbalancedEntryError);
      const ok = await postEntry(db, {
        ...disbursal(uniqueKey('memo')),
        kind: 'guarantee.commitment',
        lines: [
          { account: accountCode.guarantor(gc, 'commitments'), side: 'debit', amount: '80000.00' },
          { account: accountCode.guarantor(gc, 'commitments_contra'), side: 'credit', amount: '80000.00' },
        ],
      });
      expect(ok.replayed).to.equal(false);
    });
  });
});
