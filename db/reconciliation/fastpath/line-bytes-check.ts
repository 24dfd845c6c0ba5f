import * as money from '../../../domain/money';
import { isIsoDate } from '../../../domain/dates';
import * as format from '../statement-format';
import type { Header, StatementContext } from '../statement-format';
import type { LineBatch } from './line-batch';

// checkLine's bounds, read once: an imported binding is a property lookup on every line.
const MAX_INTEGER_DIGITS = money.MAX_INTEGER_DIGITS;
const MAX_REFERENCE = format.MAX_REFERENCE;
const MAX_DESCRIPTION = format.MAX_DESCRIPTION;

/** Most cells a line may have for the byte check; a wider line goes to checkLine. */
const MAX_CELLS = 32;
const yyyymmdd = (iso: string) => Number(iso.slice(0, 4)) * 10000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));

/** JavaScript's String.prototype.trim whitespace beyond ASCII (what cellAt would remove). */
const isUnicodeSpace = (cp: number) =>
  cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0xfeff;
const isAsciiSpace = (b: number) => b === 32 || (b >= 9 && b <= 13);

/** The code point of the UTF-8 sequence starting at i (valid UTF-8; 4-byte sequences are never spaces). */
function codePointAt(buf: Uint8Array, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return b;
  if (b < 0xe0) return ((b & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
  if (b < 0xf0) return ((b & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
  return 0x10000;
}

/** Whether trimming the cell [s, e) would change it. */
function trimmable(buf: Uint8Array, s: number, e: number): boolean {
  if (e <= s) return false;
  const first = buf[s]!;
  if (first < 0x80 ? isAsciiSpace(first) : isUnicodeSpace(codePointAt(buf, s))) return true;
  let j = e - 1;
  const last = buf[j]!;
  if (last < 0x80) return isAsciiSpace(last);
  while (j > s && (buf[j]! & 0xc0) === 0x80) j--;
  return isUnicodeSpace(codePointAt(buf, j));
}

/**
 * checkLine for the common line, on its bytes: a CSV line (valid UTF-8, without its line break)
 * that certainly passes checkLine is appended to the batch as byte ranges, with no string or object
 * made for it. Anything it cannot prove at once — a quote, a cell to trim, a long reference or
 * description, any problem — returns false, and the caller gives the line to checkLine, which
 * decides and words the problems. So the rules and their messages stay checkLine's; this only
 * recognises lines that obviously keep them (a property test holds the two together).
 */
export class LineBytesCheck {
  private readonly starts = new Int32Array(MAX_CELLS);
  private readonly ends = new Int32Array(MAX_CELLS);
  private readonly named = new Uint8Array(MAX_CELLS);
  private readonly date: number;
  private readonly reference: number;
  private readonly amount: number;
  private readonly description: number;
  private readonly from: number;
  private readonly to: number;
  /** yyyymmdd → whether that is a real date (a statement names a quarter's few dozen days). */
  private readonly real = new Map<number, boolean>();

  constructor(header: Header, ctx: StatementContext) {
    for (const i of header.named) if (i < MAX_CELLS) this.named[i] = 1;
    this.date = header.index.date!;
    this.reference = header.index.reference!;
    this.amount = header.index.amount!;
    this.description = header.index.description ?? -1;
    this.from = yyyymmdd(ctx.quarterStart);
    this.to = Math.min(yyyymmdd(ctx.quarterEnd), yyyymmdd(ctx.today));
  }

  accept(buf: Buffer, s: number, e: number, lineNo: number, batch: LineBatch): boolean {
    const { starts, ends } = this;
    let n = 0;
    let cs = s;
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c === 44) {
        if (n === MAX_CELLS - 1) return false;
        starts[n] = cs;
        ends[n++] = i;
        cs = i + 1;
      } else if (c === 34) return false;
    }
    starts[n] = cs;
    ends[n++] = e;
    for (let c = 0; c < n; c++) if (!this.named[c] && ends[c]! > starts[c]!) return false;
    if (this.date >= n || this.reference >= n || this.amount >= n) return false;

    // date: YYYY-MM-DD, real, within the quarter and not after today
    const ds = starts[this.date]!;
    if (ends[this.date]! - ds !== 10 || buf[ds + 4] !== 45 || buf[ds + 7] !== 45) return false;
    let key = 0;
    for (let i = ds; i < ds + 10; i++) {
      if (i === ds + 4 || i === ds + 7) continue;
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) return false;
      key = key * 10 + d;
    }
    if (key < this.from || key > this.to) return false;
    let real = this.real.get(key);
    if (real === undefined) this.real.set(key, (real = isIsoDate(buf.toString('latin1', ds, ds + 10))));
    if (!real) return false;

    // reference: not empty, at most MAX_REFERENCE characters (bytes ≥ characters), no control characters
    const rs = starts[this.reference]!;
    const re = ends[this.reference]!;
    if (re <= rs || re - rs > MAX_REFERENCE || trimmable(buf, rs, re)) return false;
    for (let i = rs; i < re; i++) {
      const c = buf[i]!;
      if (c < 32 || c === 127) return false;
    }

    // amount: moneyString's form — 0 or [1-9]digits (at most MAX_INTEGER_DIGITS), then 1 or 2 decimals — and not zero
    const as = starts[this.amount]!;
    const ae = ends[this.amount]!;
    let i = as;
    let nonZero = false;
    for (; i < ae && buf[i]! >= 48 && buf[i]! <= 57; i++) if (buf[i] !== 48) nonZero = true;
    const integerDigits = i - as;
    if (integerDigits < 1 || integerDigits > MAX_INTEGER_DIGITS || (integerDigits > 1 && buf[as] === 48)) return false;
    if (i < ae) {
      if (buf[i] !== 46) return false;
      const decimals = ae - i - 1;
      if (decimals < 1 || decimals > 2) return false;
      for (let k = i + 1; k < ae; k++) {
        const c = buf[k]!;
        if (c < 48 || c > 57) return false;
        if (c !== 48) nonZero = true;
      }
    }
    if (!nonZero) return false;

    // description: optional, at most MAX_DESCRIPTION characters
    let xs = e;
    let xe = e;
    if (this.description >= 0 && this.description < n) {
      xs = starts[this.description]!;
      xe = ends[this.description]!;
      if (xe - xs > MAX_DESCRIPTION || trimmable(buf, xs, xe)) return false;
      for (let i = xs; i < xe; i++) if (buf[i] === 0) return false;
    }
    batch.push(lineNo, ds, rs, re, as, ae, xs, xe);
    return true;
  }
}
