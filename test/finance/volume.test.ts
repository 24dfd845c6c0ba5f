import { expect } from 'chai';
import type { Knex } from 'knex';
import { financeSuite, paidClaims, csv, type People, type PaidClaim } from './helpers';
import { importStatement, listMismatches, listStatementLines } from '../../db/reconciliation';
import { Money, formatMoney } from '../../domain/money';
import { businessDateOf } from '../../domain/business-day';

/**
 * A 100,000-line statement in the suite (the million-line run is bench:reconcile). Payouts go
 * through the ledger's own functions one by one, which is slow on purpose (budget row locks), so the
 * ledger side has 2,000 of them; the other lines are receipts the ledger does not know.
 */
describe('finance: a 100,000-line statement', function () {
  this.timeout(300_000);
  const suite = financeSuite('volume');
  let db: Knex, p: People, paid: PaidClaim[];

  before(async function () {
    ({ db, p } = suite);
    paid = await paidClaims(
      db,
      p,
      Array.from({ length: 2000 }, (_, i) => ({ bankId: p.bankA, amount: `${100 + i}.${String(i % 100).padStart(2, '0')}`, paidOn: `2026-0${4 + (i % 3)}-${String(1 + (i % 28)).padStart(2, '0')}` })),
    );
  });

  it('imports, matches and keeps every line; the mismatches page through', async function () {
    const lines: string[] = ['date,reference,amount,description'];
    let total = new Money(0);
    for (let i = 0; i < 100_000; i++) {
      const c = paid[i];
      // Of the payouts: the first one's amount is off by a fen, the last one never arrives.
      if (c && i === 1999) continue;
      const amount = c ? (i === 0 ? formatMoney(new Money(c.amount).plus('0.01')) : c.amount) : `${1 + (i % 5000)}.${String(i % 100).padStart(2, '0')}`;
      lines.push(`${c ? c.paidOn : '2026-06-30'},${c ? c.claimId : `TRANSFER-${i}`},${amount},${c ? 'interest subsidy' : 'other receipt'}`);
      total = total.plus(amount);
    }
    const r = await importStatement(db, { bankId: p.bankA, quarter: '2026Q2', fileName: 'big.csv', open: csv(lines), actor: p.officer, today: businessDateOf(new Date()) });
    expect(r).to.include({ lineCount: 99_999, matched: 1998, amountDiffers: 1, missingInStatement: 1, missingInLedger: 98_000, dateDiffers: 0, duplicated: 0, payoutCount: 2000 });
    expect(r.statementTotal).to.equal(formatMoney(total));

    const stored = await db('statement_lines').where({ reconciliation_id: r.id }).count<{ n: number }[]>('* as n').first();
    expect(stored!.n).to.equal(99_999);
    const last = await listMismatches(db, r.id, { offset: 97_990, limit: 100 });
    expect(last.total).to.equal(98_002);
    expect(last.items.at(-1)).to.include({ kind: 'missing_in_statement', claimId: paid[1999]!.claimId, ledgerAmount: paid[1999]!.amount });
    const tail = await listStatementLines(db, r.id, { afterLine: 99_999, limit: 10 });
    expect(tail.map((l) => [l.lineNo, l.reference, l.outcome])).to.deep.equal([[100_000, 'TRANSFER-99999', 'missing_in_ledger']]);
  });
});
