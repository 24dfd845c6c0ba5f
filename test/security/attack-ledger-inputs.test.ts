import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { accountCode, closePeriod, sealLedger, verifyLedger } from '../../db/ledger';
import { openFund } from '../support/funds';
import { createOrg, financeStaff, rawPost, uniqueKey } from '../ledger/helpers';

/**
 * What the application's role can hand the ledger's posting function as input that is well typed
 * but not what the function assumes (docs/ledger.md): each is refused by PostgreSQL itself and
 * writes nothing.
 */
describe('attack: the ledger posting function’s inputs', () => {
  let db: Knex;
  before(async () => {
    db = (await (await testEnv()).newDatabase('ledger_inputs')).db;
  });

  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string; message: string }) => e);
  const entryCount = async (prefix: string) =>
    Number((await adminOf(db).raw(`select count(*)::int as n from ledger_entries where idempotency_key like ?`, [`${prefix}%`])).rows[0].n);

  it('an amount with more than two decimals is refused, not rounded into an unbalanced entry', async () => {
    const bank = await createOrg(db, 'bank');
    const prefix = uniqueKey('thirds');
    const err = await refusal(
      rawPost(db, [
        {
          key: `${prefix}:1`,
          postedOn: '2027-03-01',
          lines: [
            { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '0.005' },
            { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '0.005' },
            { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '0.01' },
          ],
        },
      ]),
    );
    expect({ code: err?.code, stored: await entryCount(prefix) }, err?.message).to.deep.equal({ code: 'LF003', stored: 0 });
    const unbalanced = await adminOf(db).raw(
      `select e.id from ledger_entries e join ledger_lines l on l.entry_id = e.id
        group by e.id having sum(case l.side when 'debit' then l.amount else -l.amount end) <> 0`,
    );
    expect(unbalanced.rows, 'no stored entry is unbalanced').to.deep.equal([]);
  });

  it('a NaN or null amount is refused as malformed', async () => {
    const bank = await createOrg(db, 'bank');
    for (const bad of ['NaN', null]) {
      const key = uniqueKey('nan');
      const err = await refusal(
        db.raw(
          `select * from ledger_post_batch(array[?], array['2027-03-01'::date], array['raw.test'], array[''], array['{}'::jsonb], array[null::bigint],
             array[1,1], array[1,2], array[?, ?], array['debit','credit'], array[?::numeric, 1.00])`,
          [key, accountCode.bank(bank, 'cash'), accountCode.bank(bank, 'interest_income'), bad],
        ),
      );
      expect({ code: err?.code, stored: await entryCount(key) }, `${bad}: ${err?.message}`).to.deep.equal({ code: 'LF003', stored: 0 });
    }
  });

  /** What an account holds, as text, read by the owner from the balances the posting function keeps. */
  const balanceOf = async (code: string) =>
    (
      await adminOf(db).raw(
        `select coalesce((select case b.normal_side when 'debit' then b.debit_total - b.credit_total else b.credit_total - b.debit_total end
                            from ledger_balances b join ledger_accounts a on a.id = b.account_id where a.code = ?), 0.00)::text as v`,
        [code],
      )
    ).rows[0].v as string;

  it('an array that does not start at 1 cannot pass a fund inflow off as a reversal', async () => {
    const bureau = await createOrg(db, 'finance_bureau');
    const bank = await createOrg(db, 'bank');
    const fund = await openFund(db, { bureauId: bureau, year: 2029, name: 'bounds attack' });
    const available = accountCode.fund(fund.id, 'available');
    // S: a harmless entry of the attacker's own, not yet reversed.
    const [s] = await rawPost(db, [
      {
        key: uniqueKey('harmless'),
        postedOn: '2029-02-01',
        lines: [
          { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '0.01' },
          { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '0.01' },
        ],
      },
    ]);
    const prefix = uniqueKey('bounds');
    // p_reverses is '[0:1]={NULL,S}': the inflow check read p_reverses[1] (S) for entry 1, the
    // insert read it by position (entry 1 reverses nothing, entry 2 reverses S).
    const err = await refusal(
      db.raw(
        `select * from ledger_post_batch(array[?, ?], array['2029-02-02'::date, '2029-02-02'::date], array['fund.release', 'reversal'], array['', ''],
           array['{}'::jsonb, '{}'::jsonb], ?::bigint[],
           array[1, 1, 2, 2], array[1, 2, 1, 2], array[?, ?, ?, ?], array['debit', 'credit', 'credit', 'debit'], array[1000000.00, 1000000.00, 0.01, 0.01])`,
        [
          `${prefix}:1`,
          `${prefix}:2`,
          `[0:1]={NULL,${s!.posted_id}}`,
          available,
          accountCode.treasury(bureau),
          accountCode.bank(bank, 'cash'),
          accountCode.bank(bank, 'interest_income'),
        ],
      ),
    );
    expect({ code: err?.code, stored: await entryCount(prefix), available: await balanceOf(available) }, err?.message).to.deep.equal({
      code: 'LF003',
      stored: 0,
      available: '0.00',
    });
  });

  it('every array argument must be one-dimensional and start at 1', async () => {
    const bank = await createOrg(db, 'bank');
    const cash = accountCode.bank(bank, 'cash');
    const income = accountCode.bank(bank, 'interest_income');
    const args = (key: string): Record<string, string> => ({
      keys: `{${key}}`,
      posted_on: '{2027-03-01}',
      kinds: '{raw.test}',
      descriptions: '{""}',
      metadata: '{"{}"}',
      reverses: '{NULL}',
      line_entry: '{1,1}',
      line_no: '{1,2}',
      accounts: `{${cash},${income}}`,
      sides: '{debit,credit}',
      amounts: '{1.00,1.00}',
    });
    const types = ['text', 'date', 'text', 'text', 'jsonb', 'bigint', 'integer', 'integer', 'text', 'text', 'numeric'];
    const call = (a: Record<string, string>) =>
      db.raw(`select * from ledger_post_batch(${types.map((t) => `?::${t}[]`).join(', ')})`, Object.values(a));
    // Shifted bounds and a second dimension, one argument at a time.
    const shifted: Array<[string, string]> = [
      ['keys', '[2:2]={K}'],
      ['posted_on', '[0:0]={2027-03-01}'],
      ['reverses', '[5:5]={NULL}'],
      ['line_entry', '[0:1]={1,1}'],
      ['line_no', '[2:3]={1,2}'],
      ['amounts', '[0:1]={1.00,1.00}'],
      ['sides', '{{debit,credit}}'],
    ];
    for (const [name, value] of shifted) {
      const key = uniqueKey(`dims-${name}`);
      const a = args(key);
      a[name] = value.replace('K', key);
      const err = await refusal(call(a));
      expect({ code: err?.code, stored: await entryCount(key) }, `${name} = ${value}: ${err?.message}`).to.deep.equal({ code: 'LF003', stored: 0 });
    }
    // The same batch with ordinary arrays posts.
    const key = uniqueKey('dims-ok');
    await call(args(key));
    expect(await entryCount(key)).to.equal(1);
  });

  it('a posting date that is not a finite day from 2000 on is refused, and the hash chain still verifies', async () => {
    const bank = await createOrg(db, 'bank');
    for (const postedOn of ['-infinity', 'infinity', '1999-12-31', '10000-01-01']) {
      const prefix = uniqueKey('dates');
      const err = await refusal(
        rawPost(db, [
          {
            key: `${prefix}:1`,
            postedOn,
            lines: [
              { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '1.00' },
              { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '1.00' },
            ],
          },
        ]),
      );
      expect({ code: err?.code, stored: await entryCount(prefix) }, `${postedOn}: ${err?.message}`).to.deep.equal({ code: 'LF003', stored: 0 });
    }
    await sealLedger(db);
    const report = await verifyLedger(db);
    expect({ ok: report.ok, chainIntact: report.chainIntact }).to.deep.equal({ ok: true, chainIntact: true });
  });

  it('cannot post into a quarter closed after its transaction’s snapshot was taken (REPEATABLE READ, SERIALIZABLE)', async () => {
    const bank = await createOrg(db, 'bank');
    const staff = await financeStaff(db);
    const cases: Array<[Knex.IsolationLevels, string, string]> = [
      ['repeatable read', '2024Q2', '2024-06-30'],
      ['serializable', '2024Q3', '2024-09-30'],
    ];
    for (const [isolationLevel, quarter, postedOn] of cases) {
      const key = uniqueKey('snapshot');
      const err = await refusal(
        db.transaction(
          async (trx) => {
            await trx.raw('select 1'); // the snapshot is taken here, while the quarter is open
            await closePeriod(db, quarter, { actorId: staff.approver.userId }); // another connection; commits
            await rawPost(trx, [
              {
                key,
                postedOn,
                lines: [
                  { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '1.00' },
                  { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '1.00' },
                ],
              },
            ]);
          },
          { isolationLevel },
        ),
      );
      const status = (await adminOf(db).raw('select status from accounting_periods where quarter = ?', [quarter])).rows[0]?.status;
      expect({ code: err?.code, stored: await entryCount(key), status }, `${isolationLevel}: ${err?.message}`).to.deep.equal({
        code: 'LF012',
        stored: 0,
        status: 'closed',
      });
    }
  });
});
