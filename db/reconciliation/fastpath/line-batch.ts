import { daysBetween } from '../../../domain/dates';
import type { StatementLine } from '../statement-line';

/** Offsets kept per line in LineBatch.at. */
const DATE = 0;
const REF = 1;
const REF_END = 2;
const AMOUNT = 3;
const AMOUNT_END = 4;
const DESC = 5;
const DESC_END = 6;
const STRIDE = 7;

/**
 * Validated statement lines as byte ranges of one buffer (UTF-8): what the import reads of each
 * line, without a JavaScript object or string per line. At a million lines, creating and then
 * collecting those costs more than reading, matching and writing the lines (docs/benchmarks.md).
 * The CSV reader points the ranges straight into the bytes it read; other sources (XLSX, GB18030,
 * quoted CSV lines) give StatementLines, which `LineBatch.of` writes into a buffer of their own.
 */
export class LineBatch {
  count = 0;
  lineNo: Int32Array;
  private at: Int32Array;

  constructor(
    readonly buf: Buffer,
    capacity = 1024,
  ) {
    this.lineNo = new Int32Array(capacity);
    this.at = new Int32Array(capacity * STRIDE);
  }

  /** The lines, in order, with their fields as written (the date as its 10 ASCII bytes). */
  static of(lines: readonly StatementLine[]): LineBatch {
    const parts: string[] = [];
    for (const l of lines) parts.push(l.valueDate, l.reference, l.amount, l.description);
    const buf = Buffer.from(parts.join(''), 'utf8');
    const batch = new LineBatch(buf, Math.max(1, lines.length));
    let p = 0;
    const next = (s: string) => (p += Buffer.byteLength(s, 'utf8'));
    for (const l of lines) {
      const date = p;
      const ref = next(l.valueDate);
      const amount = next(l.reference);
      const desc = next(l.amount);
      batch.push(l.lineNo, date, ref, amount, amount, desc, desc, next(l.description));
    }
    return batch;
  }

  /** Appends a line; the ranges are [start, end) of `buf`, its date the 10 bytes at `date`. */
  push(lineNo: number, date: number, ref: number, refEnd: number, amount: number, amountEnd: number, desc: number, descEnd: number): void {
    if (this.count === this.lineNo.length) this.grow();
    const k = this.count++;
    this.lineNo[k] = lineNo;
    const a = this.at;
    const o = k * STRIDE;
    a[o + DATE] = date;
    a[o + REF] = ref;
    a[o + REF_END] = refEnd;
    a[o + AMOUNT] = amount;
    a[o + AMOUNT_END] = amountEnd;
    a[o + DESC] = desc;
    a[o + DESC_END] = descEnd;
  }

  private grow(): void {
    const lineNo = new Int32Array(this.lineNo.length * 2);
    lineNo.set(this.lineNo);
    const at = new Int32Array(this.at.length * 2);
    at.set(this.at);
    this.lineNo = lineNo;
    this.at = at;
  }

  date(k: number): number {
    return this.at[k * STRIDE + DATE]!;
  }
  ref(k: number): number {
    return this.at[k * STRIDE + REF]!;
  }
  refEnd(k: number): number {
    return this.at[k * STRIDE + REF_END]!;
  }
  amount(k: number): number {
    return this.at[k * STRIDE + AMOUNT]!;
  }
  amountEnd(k: number): number {
    return this.at[k * STRIDE + AMOUNT_END]!;
  }
  desc(k: number): number {
    return this.at[k * STRIDE + DESC]!;
  }
  descEnd(k: number): number {
    return this.at[k * STRIDE + DESC_END]!;
  }

  /** The line's reference as text (for the few lines that become mismatches). */
  reference(k: number): string {
    return this.buf.toString('utf8', this.ref(k), this.refEnd(k));
  }

  /** The line as a StatementLine (tests, and anything that is not the hot path). */
  line(k: number): StatementLine {
    const b = this.buf;
    return {
      lineNo: this.lineNo[k]!,
      valueDate: b.toString('latin1', this.date(k), this.date(k) + 10),
      reference: this.reference(k),
      amount: b.toString('latin1', this.amount(k), this.amountEnd(k)),
      description: b.toString('utf8', this.desc(k), this.descEnd(k)),
    };
  }
}

/**
 * Days from `origin` to dates given as their 10 ASCII bytes YYYY-MM-DD (already proven real),
 * remembered by the bytes' value: a statement names a quarter's few dozen days a million times.
 */
export class DaysSince {
  private readonly days = new Map<number, number>();

  constructor(private readonly origin: string) {}

  at(bytes: Uint8Array, start: number): number {
    let key = 0;
    for (let i = start; i < start + 10; i++) key = key * 16 + (bytes[i]! & 15);
    let d = this.days.get(key);
    if (d === undefined) this.days.set(key, (d = daysBetween(this.origin, Buffer.from(bytes.buffer, bytes.byteOffset + start, 10).toString('latin1'))));
    return d;
  }
}
