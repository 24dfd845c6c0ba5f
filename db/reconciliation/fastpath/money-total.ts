import { MAX_INTEGER_DIGITS as MAX_DIGITS } from '../../../domain/money';

/** Read once: an imported binding is a property lookup on every line. */
const MAX_INTEGER_DIGITS = MAX_DIGITS;

/**
 * An exact running total of amounts in moneyString's form ("80000", "0.5", "80000.00"), for totals
 * over a million statement lines, where a Decimal (or a BigInt) per line costs more than the rest
 * of the line's work. It adds as by hand, column by column: each decimal place keeps the sum of its
 * digits (a count, never an amount), and the columns are carried once, in BigInt, when the total is
 * read. The caller has validated each amount; anything else throws.
 *
 * Byte arithmetic of the import's fast path, not a money rule: the rules (exact decimals, one
 * rounding) are domain/money.ts's, and a property test holds this sum to sumMoney's
 * (test/finance/fastpath.test.ts).
 */
export class MoneyTotal {
  /** Digit sums by place: index 0 is the second decimal (fen), 1 the first (jiao), 2 the units... */
  private readonly columns = new Float64Array(MAX_INTEGER_DIGITS + 2);
  private count = 0;

  add(amount: string): void {
    if (!/^[0-9.]+$/.test(amount)) throw new RangeError(`not a money amount: ${JSON.stringify(amount)}`);
    this.addAscii(Buffer.from(amount, 'latin1'), 0, amount.length);
  }

  /** The same for an amount given as ASCII bytes `[start, end)` of a buffer. */
  addAscii(bytes: Uint8Array, start: number, end: number): void {
    let dot = -1;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== 46) continue;
      if (dot >= 0) throw new RangeError('not a money amount: two points');
      dot = i;
    }
    this.check(dot < 0 ? end - start : dot - start, dot < 0 ? -1 : end - dot - 1);
    // The place of the last digit: fen (0) when there are two decimals.
    let place = dot < 0 ? 2 : 3 - (end - dot);
    for (let i = end - 1; i >= start; i--) {
      const c = bytes[i]!;
      if (c === 46) continue;
      if (c < 48 || c > 57) throw new RangeError('not a money amount');
      this.columns[place++]! += c - 48;
    }
    this.carry();
  }

  /** decimals: -1 when there is no point. */
  private check(integerDigits: number, decimals: number): void {
    if (integerDigits < 1 || integerDigits > MAX_INTEGER_DIGITS || decimals === 0 || decimals > 2) {
      throw new RangeError(`not a money amount: ${integerDigits} digit(s) before the point, ${Math.max(decimals, 0)} after`);
    }
  }

  /** Column sums stay far below 2^53: they are folded into the BigInt total every 10^12 amounts. */
  private carry(): void {
    if (++this.count < 1e12) return;
    this.folded += this.fen();
    this.columns.fill(0);
    this.count = 0;
  }

  private folded = 0n;

  private fen(): bigint {
    let t = 0n;
    for (let p = this.columns.length - 1; p >= 0; p--) t = t * 10n + BigInt(this.columns[p]!);
    return t;
  }

  /** In formatMoney's form: "1234.50". */
  toString(): string {
    const digits = (this.folded + this.fen()).toString().padStart(3, '0');
    return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }
}
