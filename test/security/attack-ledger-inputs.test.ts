import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { accountCode } from '../../db/ledger';
import { createOrg, rawPost, uniqueKey } from '../ledger/helpers';

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
});
