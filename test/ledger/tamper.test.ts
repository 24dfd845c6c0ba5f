import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { accountCode, allocateBudget, accrueSubsidy, payOut, postEntry, reserveBudget, sealLedger, verifyLedger, type PostedEntry } from '../../db/ledger';
import { createFundFixture, privateDb, uniqueKey } from './helpers';
import { approvedSubsidyClaim } from '../support/funds';

describe('ledger: hash chain and tamper evidence (private database)', function () {
  this.timeout(60_000);
  let db: Knex;
  const entries: PostedEntry[] = [];

  /**
   * What a superuser can do behind the ledger's back: the same statement with triggers off. (The
   * application's own role can do neither: see app-role.test.ts.)
   */
  async function asSuperuserWithoutTriggers(sql: string, bindings: unknown[] = []): Promise<void> {
    await adminOf(db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(sql, bindings as never);
    });
  }

  before(async () => {
    // verify reads the whole ledger: give it one whose every entry this test knows.
    db = await privateDb(await testEnv(), 'ledger_tamper');
    const { fund, bankId, bureauId } = await createFundFixture(db);
    entries.push(await allocateBudget(adminOf(db), { fundId: fund.id, amount: '100000.00', postedOn: '2027-01-05', idempotencyKey: uniqueKey('alloc') }));
    for (let i = 0; i < 8; i++) {
      entries.push(await accrueSubsidy(db, { bankOrgId: bankId, amount: `${100 + i}.50`, postedOn: '2027-03-31', idempotencyKey: uniqueKey('accrue') }));
      entries.push(await reserveBudget(db, { fundId: fund.id, amount: `${100 + i}.50`, postedOn: '2027-04-10', idempotencyKey: uniqueKey('reserve') }));
      const claimId = await approvedSubsidyClaim(db, { bankId, bureauId, total: `${100 + i}.50` });
      entries.push(
        await payOut(db, {
          fundId: fund.id,
          bankOrgId: bankId,
          amount: `${100 + i}.50`,
          postedOn: '2027-04-20',
          idempotencyKey: uniqueKey('payout'),
          description: `payout ${i} — 贴息 with "quotes" | pipes:colons`,
          metadata: { claimId, claim: `C-${i}`, nested: { a: [1, 2, { b: null }] } },
        }),
      );
    }
  });
  /** An entry posted after the seals: subsidy expense against the first accrual's credit account. */
  const postAfterSeal = (prefix: string, postedOn: string, amount: string) =>
    postEntry(db, {
      idempotencyKey: uniqueKey(prefix),
      postedOn,
      kind: 'test.late',
      lines: [
        { account: accountCode.subsidyExpense(), side: 'debit', amount },
        { account: entries[1]!.lines[1]!.account, side: 'credit', amount },
      ],
    });

  after(async () => {
    await db?.destroy();
  });

  it('seals in batches and verifies clean: TypeScript recomputes exactly what SQL sealed', async () => {
    const first = await sealLedger(db, { batchSize: 10 });
    expect(first.entries).to.equal(entries.length);
    expect(first.seals).to.equal(3);
    expect(await sealLedger(db)).to.deep.include({ seals: 0, entries: 0, headHash: first.headHash });

    // Entries after the seal wait, unsealed but balanced, for the next one.
    const late = await postAfterSeal('late', '2027-05-01', '1.00');
    entries.push(late);
    const before = await verifyLedger(db);
    expect(before).to.deep.include({ ok: true, entries: entries.length, sealed: entries.length - 1, unsealed: 1, balanced: true, chainIntact: true, balancesMatch: true, firstBadEntry: null });
    expect(before.headHash).to.equal(first.headHash);
    await sealLedger(db);
    const report = await verifyLedger(db);
    expect(report).to.deep.include({ ok: true, sealed: entries.length, unsealed: 0, firstBadEntry: null });
  });

  it('finds a changed amount (triggers off) and names the entry', async () => {
    const victim = entries[5]!;
    await asSuperuserWithoutTriggers(`update ledger_lines set amount = amount + 0.01 where entry_id = ? and line_no = 1`, [victim.id]);
    const report = await verifyLedger(db);
    expect(report.ok).to.equal(false);
    expect(report.chainIntact).to.equal(false);
    expect(report.balanced).to.equal(false);
    expect(report.balancesMatch).to.equal(false);
    expect(report.firstBadEntry).to.equal(victim.id);
    expect(report.problems.join('\n')).to.contain(`entry ${victim.id}`);
    await asSuperuserWithoutTriggers(`update ledger_lines set amount = amount - 0.01 where entry_id = ? and line_no = 1`, [victim.id]);
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('finds a balanced rewrite (both lines, via ALTER TABLE ... DISABLE TRIGGER) by the chain alone', async () => {
    const victim = entries[9]!;
    await adminOf(db).transaction(async (trx) => {
      await trx.raw('alter table ledger_lines disable trigger all');
      await trx.raw(`update ledger_lines set amount = amount * 10 where entry_id = ?`, [victim.id]);
      await trx.raw('alter table ledger_lines enable trigger all');
    });
    const report = await verifyLedger(db);
    expect(report).to.deep.include({ ok: false, balanced: true, chainIntact: false, firstBadEntry: victim.id });
    await adminOf(db).transaction(async (trx) => {
      await trx.raw('alter table ledger_lines disable trigger all');
      await trx.raw(`update ledger_lines set amount = amount / 10 where entry_id = ?`, [victim.id]);
      await trx.raw('alter table ledger_lines enable trigger all');
    });
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('finds a changed description, date or account code', async () => {
    const victim = entries[3]!;
    for (const [sql, undo] of [
      [`update ledger_entries set description = description || '.' where id = ?`, `update ledger_entries set description = left(description, -1) where id = ?`],
      [`update ledger_entries set posted_on = posted_on + 1 where id = ?`, `update ledger_entries set posted_on = posted_on - 1 where id = ?`],
      [`update ledger_entries set metadata = metadata || '{"x":1}' where id = ?`, `update ledger_entries set metadata = metadata - 'x' where id = ?`],
    ] as const) {
      await asSuperuserWithoutTriggers(sql, [victim.id]);
      const report = await verifyLedger(db);
      expect(report, sql).to.deep.include({ ok: false, chainIntact: false, firstBadEntry: victim.id });
      await asSuperuserWithoutTriggers(undo, [victim.id]);
    }
    // A line moved to another account.
    const line = await db('ledger_lines').where({ entry_id: victim.id, line_no: 1 }).first('account_id');
    const other = await db('ledger_accounts').where({ code: accountCode.subsidyExpense() }).first('id');
    await asSuperuserWithoutTriggers(`update ledger_lines set account_id = ? where entry_id = ? and line_no = 1`, [other.id, victim.id]);
    expect(await verifyLedger(db)).to.deep.include({ ok: false, chainIntact: false, firstBadEntry: victim.id });
    await asSuperuserWithoutTriggers(`update ledger_lines set account_id = ? where entry_id = ? and line_no = 1`, [line.account_id, victim.id]);
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('finds a deleted entry and an overwritten hash', async () => {
    const victim = entries[7]!;
    const saved = (
      await db.raw(
        `select s.first_seq + array_position(s.entry_ids, ?::bigint) - 1 as seq, s.hashes[array_position(s.entry_ids, ?::bigint)] as hash
           from ledger_seals s where ?::bigint = any(s.entry_ids)`,
        [victim.id, victim.id, victim.id],
      )
    ).rows[0];
    const setHash = `update ledger_seals set hashes[array_position(entry_ids, ?::bigint)] = ? where ?::bigint = any(entry_ids)`;
    await asSuperuserWithoutTriggers(setHash, [victim.id, 'a'.repeat(64), victim.id]);
    let report = await verifyLedger(db);
    expect(report).to.deep.include({ ok: false, chainIntact: false, firstBadEntry: victim.id });
    await asSuperuserWithoutTriggers(setHash, [victim.id, saved.hash, victim.id]);
    expect((await verifyLedger(db)).ok).to.equal(true);

    await asSuperuserWithoutTriggers(
      `with l as (delete from ledger_lines where entry_id = ? returning entry_id) delete from ledger_entries where id = (select distinct entry_id from l)`,
      [victim.id],
    );
    report = await verifyLedger(db);
    expect(report).to.deep.include({ ok: false, chainIntact: false, firstBadEntry: victim.id });
    expect(report.problems.join('\n')).to.contain(`entry ${victim.id} (seq ${saved.seq}) was sealed but is gone`);
  });

  it('finds an unsealed entry that does not balance, and an entry sealed twice behind the trigger', async () => {
    const extra = await postAfterSeal('unsealed', '2027-05-02', '2.00');
    await asSuperuserWithoutTriggers(`update ledger_lines set amount = amount + 0.01 where entry_id = ? and line_no = 1`, [extra.id]);
    let report = await verifyLedger(db);
    expect(report).to.deep.include({ balanced: false, unsealed: 1 });
    expect(report.badEntries).to.include(extra.id);
    expect(report.problems.join('\n')).to.contain(`entry ${extra.id} (not sealed yet) does not balance`);

    const zeros = '0'.repeat(64);
    const twice = entries[0]!.id;
    await asSuperuserWithoutTriggers(
      `insert into ledger_seals (first_seq, last_seq, entries, prev_hash, head_hash, entry_ids, hashes)
       select max(last_seq) + 1, max(last_seq) + 1, 1, ?, ?, array[?::bigint], array[?] from ledger_seals`,
      [zeros, zeros, twice, zeros],
    );
    report = await verifyLedger(db);
    expect(report.chainIntact).to.equal(false);
    expect(report.problems.join('\n')).to.contain(`entry ${twice} is sealed more than once`);
  });
});
