import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import {
  accountBalance,
  accountCode,
  allocateBudget,
  FundMoneyRefusedError,
  FundOutflowRefusedError,
  InsufficientBalanceError,
  postEntry,
  reverseEntry,
  ReversalError,
  UnbalancedEntryError,
  type LineInput,
  type PostedEntry,
} from '../../db/ledger';
import { createFundFixture, createOrg, rawPost, uniqueKey } from './helpers';

/** Fen as bigint in the model; strings on the way in and out. Never a float. */
const fen = (s: string): bigint => BigInt(s.replace('.', ''));
const yuan = (f: bigint): string => {
  const neg = f < 0n;
  const a = neg ? -f : f;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
};
const amountArb = fc.bigInt({ min: 1n, max: 5_000_000n }).map(yuan);

interface Book {
  codes: string[];
  /** normal side and whether the account may go negative */
  rules: Map<string, { side: 'debit' | 'credit'; mayGoNegative: boolean }>;
}

async function freshBook(db: Knex): Promise<Book> {
  const { fund, bankId } = await createFundFixture(db);
  const bank2 = await createOrg(db, 'bank');
  // By the owner: the application's postings may take money out of a fund, never put it in.
  await allocateBudget(adminOf(db), { fundId: fund.id, amount: '100000.00', postedOn: '2027-01-01', idempotencyKey: uniqueKey('seed') });
  const rules = new Map<string, { side: 'debit' | 'credit'; mayGoNegative: boolean }>([
    [accountCode.bank(bankId, 'cash'), { side: 'debit', mayGoNegative: true }],
    [accountCode.bank(bank2, 'cash'), { side: 'debit', mayGoNegative: true }],
    [accountCode.bank(bankId, 'loans_receivable'), { side: 'debit', mayGoNegative: false }],
    [accountCode.bank(bankId, 'interest_income'), { side: 'credit', mayGoNegative: false }],
    [accountCode.fund(fund.id, 'available'), { side: 'debit', mayGoNegative: false }],
  ]);
  return { codes: [...rules.keys()], rules };
}

/** An entry as pairs (debit account, credit account, amount): balanced by construction. */
const pairsArb = fc.array(fc.record({ dr: fc.nat(4), cr: fc.nat(4), amount: amountArb }), { minLength: 1, maxLength: 4 });
type Pairs = Array<{ dr: number; cr: number; amount: string }>;

function linesOf(book: Book, pairs: Pairs): LineInput[] {
  return pairs.flatMap((p) => [
    { account: book.codes[p.dr]!, side: 'debit' as const, amount: p.amount },
    { account: book.codes[p.cr]!, side: 'credit' as const, amount: p.amount },
  ]);
}

describe('ledger properties (fast-check, real PostgreSQL)', function () {
  this.timeout(120_000);
  let db: Knex;
  before(async () => {
    db = (await testEnv()).db;
  });

  it('any sequence of balanced postings and reversals keeps every balance equal to a simple model, refusing exactly the overdrafts and money into or out of the fund', async () => {
    const opArb = fc.oneof(
      { weight: 3, arbitrary: pairsArb.map((pairs) => ({ op: 'post' as const, pairs })) },
      { weight: 1, arbitrary: fc.nat(20).map((k) => ({ op: 'reverse' as const, k })) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const book = await freshBook(db);
        // The model: debits and credits per account, in fen.
        const model = new Map(book.codes.map((c) => [c, { dr: 0n, cr: 0n }]));
        model.get(book.codes[4]!)!.dr += 10_000_000n; // the seed allocation of 100000.00
        const posted: PostedEntry[] = [];
        const reversed = new Set<number>();
        const apply = (lines: LineInput[]) => {
          const next = new Map([...model].map(([k, v]) => [k, { ...v }]));
          for (const l of lines) next.get(l.account)![l.side === 'debit' ? 'dr' : 'cr'] += fen(String(l.amount));
          const overdrawn = [...next].some(([code, v]) => {
            const r = book.rules.get(code)!;
            return !r.mayGoNegative && (r.side === 'debit' ? v.dr - v.cr : v.cr - v.dr) < 0n;
          });
          return { next, overdrawn };
        };
        for (const o of ops) {
          if (o.op === 'post') {
            const lines = linesOf(book, o.pairs);
            const { next, overdrawn } = apply(lines);
            const fund = book.codes[4]!;
            const intoFund = lines.reduce((n, l) => (l.account !== fund ? n : n + (l.side === 'debit' ? 1n : -1n) * fen(String(l.amount))), 0n);
            const r = await postEntry(db, { idempotencyKey: uniqueKey('prop'), postedOn: '2027-06-01', kind: 'test.prop', lines }).catch((e) => e);
            if (intoFund > 0n) {
              expect(r).to.be.instanceOf(FundMoneyRefusedError);
            } else if (lines.some((l) => l.account === fund && l.side === 'credit')) {
              // Money leaves a fund only as a payout of a claim, a reservation, a lapse (docs/ledger.md): never as test.prop.
              expect(r).to.be.instanceOf(FundOutflowRefusedError);
            } else if (overdrawn) {
              expect(r).to.be.instanceOf(InsufficientBalanceError);
            } else {
              expect(r, String(r)).to.have.property('id');
              posted.push(r);
              for (const [k, v] of next) model.set(k, v);
            }
          } else {
            const candidates = posted.filter((p) => !reversed.has(p.id));
            if (candidates.length === 0) continue;
            const target = candidates[o.k % candidates.length]!;
            const flipped = target.lines.map((l) => ({ ...l, side: l.side === 'debit' ? ('credit' as const) : ('debit' as const) }));
            const { next, overdrawn } = apply(flipped);
            const r = await reverseEntry(db, { entryId: target.id, idempotencyKey: uniqueKey('prop-rev'), postedOn: '2027-06-02' }).catch((e) => e);
            if (overdrawn) {
              expect(r).to.be.instanceOf(InsufficientBalanceError);
            } else {
              expect(r.reversesEntryId).to.equal(target.id);
              reversed.add(target.id);
              for (const [k, v] of next) model.set(k, v);
            }
          }
        }
        for (const code of book.codes) {
          const b = await accountBalance(db, code).catch(() => undefined);
          const m = model.get(code)!;
          const r = book.rules.get(code)!;
          const expected = yuan(r.side === 'debit' ? m.dr - m.cr : m.cr - m.dr);
          expect(b ? b.balance : '0.00', code).to.equal(expected === '-0.00' ? '0.00' : expected);
          if (b) {
            expect(b.debits, code).to.equal(yuan(m.dr));
            expect(b.credits, code).to.equal(yuan(m.cr));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('an entry whose debits and credits differ by any amount is refused, by TypeScript and by the database alone', async () => {
    const book = await freshBook(db);
    const cashOnly = { ...book, codes: [book.codes[0]!, book.codes[1]!, book.codes[0]!, book.codes[1]!, book.codes[0]!] };
    // Bring both cash accounts into being, so the raw path below can name them.
    await postEntry(db, {
      idempotencyKey: uniqueKey('open'),
      postedOn: '2027-06-01',
      kind: 'test.prop',
      lines: [
        { account: book.codes[0]!, side: 'debit', amount: '0.01' },
        { account: book.codes[1]!, side: 'credit', amount: '0.01' },
      ],
    });
    await fc.assert(
      fc.asyncProperty(pairsArb, fc.nat(7), fc.bigInt({ min: -99n, max: 99n }).filter((d) => d !== 0n), async (pairs, at, delta) => {
        const lines = linesOf(cashOnly, pairs);
        const i = at % lines.length;
        const changed = fen(String(lines[i]!.amount)) + delta;
        fc.pre(changed > 0n);
        lines[i] = { ...lines[i]!, amount: yuan(changed) };
        const ts = await postEntry(db, { idempotencyKey: uniqueKey('unbal'), postedOn: '2027-06-01', kind: 'test.prop', lines }).catch((e) => e);
        expect(ts).to.be.instanceOf(UnbalancedEntryError);
        // Straight to the database's posting function, skipping every TypeScript check.
        const raw = await rawPost(db, [{ key: uniqueKey('raw-unbal'), postedOn: '2027-06-01', lines }]).catch((e) => e);
        expect(raw.code).to.equal('LF003');
      }),
      { numRuns: 40 },
    );
  });

  it('posting then reversing any entry nets every account to zero; the reversal mirrors it; a second reversal is refused', async () => {
    const book = await freshBook(db);
    const cash = [book.codes[0]!, book.codes[1]!];
    await fc.assert(
      fc.asyncProperty(pairsArb, async (pairs) => {
        const lines = pairs.flatMap((p) => [
          { account: cash[p.dr % 2]!, side: 'debit' as const, amount: p.amount },
          { account: cash[p.cr % 2]!, side: 'credit' as const, amount: p.amount },
        ]);
        const before = await Promise.all(cash.map((c) => accountBalance(db, c).catch(() => undefined)));
        const entry = await postEntry(db, { idempotencyKey: uniqueKey('p'), postedOn: '2027-07-01', kind: 'test.prop', lines });
        const rev = await reverseEntry(db, { entryId: entry.id, idempotencyKey: uniqueKey('r'), postedOn: '2027-07-02' });
        expect(rev.lines.map((l) => [l.account, l.side, l.amount])).to.deep.equal(entry.lines.map((l) => [l.account, l.side === 'debit' ? 'credit' : 'debit', l.amount]));
        const after = await Promise.all(cash.map((c) => accountBalance(db, c).catch(() => undefined)));
        after.forEach((a, n) => expect(a?.balance ?? '0.00').to.equal(before[n]?.balance ?? '0.00'));
        const again = await reverseEntry(db, { entryId: entry.id, idempotencyKey: uniqueKey('r2'), postedOn: '2027-07-03' }).catch((e) => e);
        expect(again).to.be.instanceOf(ReversalError);
      }),
      { numRuns: 40 },
    );
  });
});
