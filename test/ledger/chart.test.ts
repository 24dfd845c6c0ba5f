import { expect } from 'chai';
import fc from 'fast-check';
import { testEnv, type TestEnv } from '../support/env';
import { migrateLatest } from '../../db/knex';
import { accountCode, allocateBudget, postEntries } from '../../db/ledger';
import { CHART, chartRows, codePattern, type ChartKind } from '../../db/ledger/chart';
import { openFund } from '../support/funds';

/** The code of an account of kind `k`, built as the application builds it: through accountCode. */
function build(k: ChartKind, id: string): string {
  switch (k.owner) {
    case 'fund':
      return accountCode.fund(id, k.account as never);
    case 'bank':
      return accountCode.bank(id, k.account as never);
    case 'guarantor':
      return accountCode.guarantor(id, k.account as never);
    case 'treasury':
      return accountCode.treasury(id, k.account as never);
    case 'program':
      return accountCode.program(k.account as never);
  }
}

describe('ledger: the chart of accounts, defined once (db/ledger/chart.ts)', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it("the database's chart is the code's, row for row", async () => {
    const stored = await env.db('ledger_chart').orderBy('kind').select('kind', 'code_pattern', 'entity', 'type', 'normal_side', 'allow_negative', 'name');
    expect(stored).to.deep.equal([...chartRows()].sort((a, b) => (a.kind < b.kind ? -1 : 1)));
    expect(stored.map((r: { kind: string }) => r.kind)).to.include('guarantor_own_funds');
  });

  it("accountCode builds a code of every kind, and that code matches its kind's pattern and no other", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...CHART), (id, k) => {
        const code = build(k, id);
        const matching = CHART.filter((other) => new RegExp(codePattern(other)).test(code)).map((other) => other.kind);
        expect(matching, code).to.deep.equal([k.kind]);
      }),
    );
  });

  it('each kind is posted to through its builder, and the database files the account under that kind', async () => {
    const { db, admin } = await env.newDatabase('chart_accounts', { seed: true });
    const org = async (type: string) => (await admin('organisations').where({ type }).first('id')).id as string;
    const bureau = await org('finance_bureau');
    const fund = await openFund(db, { bureauId: bureau, year: 2040, name: 'chart test fund' });
    const ids: Record<ChartKind['entity'] & string, string> = {
      fund: fund.id,
      finance_bureau: bureau,
      bank: await org('bank'),
      guarantee_company: await org('guarantee_company'),
    };
    const codes = CHART.map((k) => build(k, k.entity ? ids[k.entity] : ''));
    // Each account debited and credited in one entry: balanced whatever its kind (memo or not).
    // A fund's budget takes only an allocation, which only the owner (or an approved top-up) posts.
    await allocateBudget(admin, { fundId: fund.id, amount: '1.00', postedOn: '2040-01-15', idempotencyKey: 'chart:budget' });
    await postEntries(
      db,
      codes.filter((c) => !c.endsWith(':budget')).map((account, i) => ({
        idempotencyKey: `chart:${i}`,
        postedOn: '2040-01-15',
        // A fund's own accounts are credited only by the kinds docs/ledger.md maps: a move inside the fund.
        kind: account.startsWith('fund:') ? 'fund.reservation' : 'test.chart',
        lines: [
          { account, side: 'debit' as const, amount: '1.00' },
          { account, side: 'credit' as const, amount: '1.00' },
        ],
      })),
    );
    const kinds = await db('ledger_accounts').whereIn('code', codes).select('code', 'kind');
    expect(new Map(kinds.map((r: { code: string; kind: string }) => [r.code, r.kind]))).to.deep.equal(new Map(codes.map((c, i) => [c, CHART[i]!.kind])));
  });

  it('migrating refuses a database whose chart says otherwise than the code, naming the kind', async () => {
    const { admin } = await env.newDatabase('chart_differs');
    await admin.transaction(async (trx) => {
      await trx.raw('alter table ledger_chart disable trigger ledger_chart_append_only');
      await trx('ledger_chart').where({ kind: 'guarantor_own_funds' }).update({ allow_negative: false });
      await trx.raw('alter table ledger_chart enable trigger ledger_chart_append_only');
    });
    const e = await migrateLatest(admin).catch((x: Error) => x);
    expect((e as Error).message).to.equal(
      'ledger_chart differs from db/ledger/chart.ts for guarantor_own_funds: the chart is append-only, so a changed or removed kind needs a versioned migration',
    );
  });
});
