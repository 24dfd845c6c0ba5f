/**
 * The statement import's fast path against the plain rules it stands for: the payout index and its
 * byte matching against domain/reconciliation.ts `reconcile`, MoneyTotal against sumMoney. Pure: no
 * database (the index is fed the binary COPY bytes CopyRows writes, as PostgreSQL would send them).
 */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { CopyRows, LineBatch, MoneyTotal, PayoutIndex } from '../../db/reconciliation/fastpath';
import { reconcile, type Payout, type Receipt } from '../../domain/reconciliation';
import { addDays, daysBetween } from '../../domain/dates';
import { formatMoney, sumMoney } from '../../domain/money';
import { moneyString } from '../../domain/money-schemas';

const QUARTER_START = '2026-04-01';

/** The payouts as a binary COPY of (claim_id, entry_id, day, amount), cut into chunks at `cuts`. */
async function copyBytes(payouts: readonly Payout[], cuts: number[]): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(Buffer.from(chunk));
      cb();
    },
  });
  const out = new CopyRows(sink);
  for (const p of payouts) {
    const amount = Buffer.from(p.amount, 'latin1');
    out.row(4).text(Buffer.from(p.claimId.replace(/-/g, ''), 'hex')).int8(p.entryId).int4(daysBetween(QUARTER_START, p.postedOn)).numeric(amount, 0, amount.length);
  }
  await out.close();
  const all = Buffer.concat(parts);
  const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    chunks.push(all.subarray(from, c));
    from = c;
  }
  chunks.push(all.subarray(from));
  return chunks;
}

/** An amount in each form moneyString accepts ("500", "500.5", "500.50"). */
const amountText = (fen: bigint, form: number) => {
  const units = fen / 100n;
  const rest = fen % 100n;
  if (form === 0 && rest === 0n) return `${units}`;
  if (form === 1 && rest % 10n === 0n) return `${units}.${rest / 10n}`;
  return `${units}.${String(rest).padStart(2, '0')}`;
};

const world = fc
  .record({
    payouts: fc.uniqueArray(
      fc.record({
        claimId: fc.uuid(),
        fen: fc.oneof(fc.bigInt({ min: 1n, max: 200_000n }), fc.bigInt({ min: 1n, max: 10n ** 18n - 1n })),
        day: fc.integer({ min: 0, max: 90 }),
        form: fc.integer({ min: 0, max: 2 }),
      }),
      { selector: (p) => p.claimId, maxLength: 30 },
    ),
    lines: fc.array(
      fc.record({
        pick: fc.nat(),
        /** 0: a payout's id; 1: its id in capitals; 2: an unknown id; 3: not an id. */
        ref: fc.constantFrom(0, 0, 0, 1, 2, 3),
        junk: fc.constantFrom('UNKNOWN-1', 'abc', '', ' ', 'x'.repeat(36), '00000000-0000-0000-0000-00000000000g'),
        other: fc.uuid(),
        /** Days after the payout: the window is 0–7. */
        late: fc.constantFrom(0, 0, 3, 7, 8, -1, 20, -20),
        /** 0: the payout's amount; else a fen more or less, or another. */
        amount: fc.constantFrom(0, 0, 0, 1, -1, 2),
        form: fc.integer({ min: 0, max: 2 }),
      }),
      { maxLength: 40 },
    ),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
  })
  .map(({ payouts, lines, cuts }) => {
    const ps: Payout[] = payouts.map((p, i) => ({
      claimId: p.claimId,
      entryId: 1000 + i * 2 ** 33, // ids past 2^32 too
      postedOn: addDays(QUARTER_START, p.day),
      amount: amountText(p.fen, 2),
    }));
    const receipts: Receipt[] = lines.map((l) => {
      const payout = payouts.length ? payouts[l.pick % payouts.length]! : undefined;
      if (!payout || l.ref >= 2) {
        return { valueDate: addDays(QUARTER_START, l.pick % 90), reference: l.ref === 2 || !payout ? l.other : l.junk, amount: amountText(BigInt(l.pick % 1000 + 1), l.form) };
      }
      const fen = l.amount === 0 ? payout.fen : l.amount === 2 ? payout.fen * 2n : payout.fen + BigInt(l.amount);
      return {
        valueDate: addDays(QUARTER_START, payout.day + l.late),
        reference: l.ref === 1 ? payout.claimId.toUpperCase() : payout.claimId,
        amount: amountText(fen > 0n ? fen : 1n, l.form),
      };
    });
    return { payouts: ps, receipts, cuts };
  });

describe('finance: the import fast path keeps the plain rules', () => {
  it('the payout index classifies every line as reconcile() does, and leaves the same payouts unseen', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ payouts, receipts, cuts }) => {
        const index = await PayoutIndex.fromCopy(QUARTER_START, await copyBytes(payouts, cuts));
        expect(index.size).to.equal(payouts.length);
        expect(index.total).to.equal(formatMoney(sumMoney(['0', ...payouts.map((p) => p.amount)])));
        const batch = LineBatch.of(receipts.map((r, i) => ({ lineNo: i + 2, ...r, description: '' })));
        const plain = reconcile(receipts, payouts);
        for (let k = 0; k < batch.count; k++) {
          const outcome = index.classify(batch, k);
          const expected = plain.lines[k]!;
          expect(outcome, `line ${k}: ${JSON.stringify(receipts[k])}`).to.equal(expected.outcome);
          const named = index.lastPayout >= 0 ? index.claimId(index.lastPayout) : undefined;
          expect(named).to.equal(expected.payout?.claimId);
          if (expected.payout) expect(index.entryId(index.lastPayout)).to.equal(expected.payout.entryId);
        }
        expect(index.unseen().map((i) => index.claimId(i))).to.deep.equal(plain.missingInStatement.map((p) => p.claimId));
      }),
      { numRuns: 300 },
    );
  });

  it('reads amounts as PostgreSQL sends them, whatever their digit groups', async () => {
    const amounts = ['0.01', '0.50', '1.00', '9999.99', '10000.00', '10000.01', '123456789.10', '99999999999999.99', '1000000000000.00'];
    const payouts = amounts.map((amount, i) => ({ claimId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, entryId: i + 1, postedOn: QUARTER_START, amount }));
    const index = await PayoutIndex.fromCopy(QUARTER_START, await copyBytes(payouts, []));
    const receipts = payouts.map((p) => ({ valueDate: QUARTER_START, reference: p.claimId, amount: p.amount.replace(/\.00$/, '').replace(/(\.\d)0$/, '$1') }));
    const batch = LineBatch.of(receipts.map((r, i) => ({ lineNo: i + 2, ...r, description: '' })));
    for (let k = 0; k < batch.count; k++) expect(index.classify(batch, k), receipts[k]!.amount).to.equal('matched');
  });
});

describe('finance: MoneyTotal, the fast path\'s running total', () => {
  const totalOf = (xs: string[]) => {
    const t = new MoneyTotal();
    for (const x of xs) t.add(x);
    return t.toString();
  };

  it('adds every form moneyString accepts, exactly', () => {
    expect(totalOf([])).to.equal('0.00');
    expect(totalOf(['0.1', '0.2', '5', '0.05'])).to.equal('5.35');
    expect(totalOf(['9999999999999999.99', '0.01'])).to.equal('10000000000000000.00');
  });

  it('refuses what is not a money amount instead of adding it at another scale', () => {
    expect(() => new MoneyTotal().add('1.005')).to.throw(RangeError);
    expect(() => new MoneyTotal().add('1.')).to.throw(RangeError);
    expect(() => new MoneyTotal().add('12a')).to.throw(RangeError);
    expect(() => new MoneyTotal().add('.5')).to.throw(RangeError);
    expect(() => new MoneyTotal().add('1.2.3')).to.throw(RangeError);
    expect(() => new MoneyTotal().add('ı')).to.throw(RangeError);
  });

  it('agrees with sumMoney on any list of valid amounts', () => {
    const amount = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 16n - 1n }), fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 99 }))
      .map(([units, decimals, fen]) => (decimals === 0 ? `${units}` : decimals === 1 ? `${units}.${fen % 10}` : `${units}.${String(fen).padStart(2, '0')}`));
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 50 }), (xs) => {
        for (const x of xs) expect(moneyString.safeParse(x).success, x).to.equal(true);
        expect(totalOf(xs)).to.equal(formatMoney(sumMoney(xs)));
        const bytes = new MoneyTotal();
        for (const x of xs) {
          const b = Buffer.from(`,${x};`, 'latin1');
          bytes.addAscii(b, 1, b.length - 1);
        }
        expect(bytes.toString()).to.equal(formatMoney(sumMoney(xs)));
      }),
    );
  });
});
