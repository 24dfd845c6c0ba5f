import { daysBetween } from '../../../domain/dates';
import type { StatementLine } from '../statement-line';

/**
 * A line's fields, as offsets kept per line in LineBatch.at: where the field starts, and for the
 * ranges their end in the slot after (the date is its 10 bytes).
 */
export const Field = { date: 0, ref: 1, amount: 3, desc: 5 } as const;
export type Field = (typeof Field)[keyof typeof Field];
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
    a[o + Field.date] = date;
    a[o + Field.ref] = ref;
    a[o + Field.ref + 1] = refEnd;
    a[o + Field.amount] = amount;
    a[o + Field.amount + 1] = amountEnd;
    a[o + Field.desc] = desc;
    a[o + Field.desc + 1] = descEnd;
  }

  private grow(): void {
    this.lineNo = doubled(this.lineNo);
    this.at = doubled(this.at);
  }

  /** Where field `f` of line k starts in `buf`. */
  start(k: number, f: Field): number {
    return this.at[k * STRIDE + f]!;
  }

  /** Where range field `f` (not the date) of line k ends in `buf`. */
  end(k: number, f: Field): number {
    return this.at[k * STRIDE + f + 1]!;
  }

  /** The line's reference as text (for the few lines that become mismatches). */
  reference(k: number): string {
    return this.buf.toString('utf8', this.start(k, Field.ref), this.end(k, Field.ref));
  }

  /** The line as a StatementLine (tests, and anything that is not the hot path). */
  line(k: number): StatementLine {
    const b = this.buf;
    return {
      lineNo: this.lineNo[k]!,
      valueDate: b.toString('latin1', this.start(k, Field.date), this.start(k, Field.date) + 10),
      reference: this.reference(k),
      amount: b.toString('latin1', this.start(k, Field.amount), this.end(k, Field.amount)),
      description: b.toString('utf8', this.start(k, Field.desc), this.end(k, Field.desc)),
    };
  }
}

function doubled(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
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
