import { MAX_INTEGER_DIGITS, moneyString } from '../../domain/money';
import { isIsoDate } from '../../domain/dates';
import type { FinanceErrorDetail } from './errors';
import type { LineBatch } from './line-batch';
import type { StatementLine } from './statement-line';

export type { StatementLine } from './statement-line';

/**
 * A bank's statement of subsidy receipts, one receipt per line, in CSV or XLSX with the same
 * columns (README "Finance bureau"). The header row names the columns, in any order:
 *
 *   date         YYYY-MM-DD, the day the bank received the money (within the quarter, not after today)
 *   reference    what the payer wrote on the transfer: the subsidy claim id
 *   amount       yuan with at most 2 decimals, > 0, no thousands separators ("80000.00")
 *   description  optional free text (no NUL character), ignored by matching
 */
export const STATEMENT_COLUMNS = ['date', 'reference', 'amount', 'description'] as const;
export type StatementColumn = (typeof STATEMENT_COLUMNS)[number];
const REQUIRED: StatementColumn[] = ['date', 'reference', 'amount'];

export const MAX_REFERENCE = 100;
export const MAX_DESCRIPTION = 500;
/** A file with more problems than this stops being read: the first ones are enough to fix it. */
export const MAX_REPORTED_PROBLEMS = 20;


export interface StatementContext {
  quarterStart: string;
  quarterEnd: string;
  today: string;
}

/** Where a cell is, as the user's program shows it: "line 12, column 3 (amount)" or "row 12, cell C12 (amount)". */
export type Locate = (lineNo: number, columnIndex: number, column: string) => string;

export type ColumnIndex = Partial<Record<StatementColumn, number>>;

export interface Header {
  index: ColumnIndex;
  /** Positions the header names: a value anywhere else is an error. */
  named: ReadonlySet<number>;
}

/** Reads the header row; a wrong, missing or repeated column is reported with its position. */
export function readHeader(cells: string[], lineNo: number, locate: Locate): Header | { problems: FinanceErrorDetail[] } {
  const index: ColumnIndex = {};
  const problems: FinanceErrorDetail[] = [];
  const expected = `expected the columns ${STATEMENT_COLUMNS.join(',')} (description optional)`;
  cells.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (name === '' && cells.slice(i).every((c) => c.trim() === '')) return; // trailing empty cells
    if (!(STATEMENT_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ path: locate(lineNo, i, raw.trim() || '(empty)'), message: `unknown column ${JSON.stringify(raw.trim())}: ${expected}` });
    } else if (index[name as StatementColumn] !== undefined) {
      problems.push({ path: locate(lineNo, i, name), message: `column ${name} appears twice` });
    } else {
      index[name as StatementColumn] = i;
    }
  });
  for (const c of REQUIRED) {
    if (index[c] === undefined) problems.push({ path: `line ${lineNo} (header)`, message: `missing column ${c}: ${expected}` });
  }
  return problems.length ? { problems } : { index, named: new Set(Object.values(index)) };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const cellAt = (cells: readonly string[], i: number | undefined): string => (i === undefined ? '' : (cells[i] ?? '').trim());
const NON_ZERO = /[1-9]/;

/**
 * One line's cells (as text) → a statement line, or the problems naming line and column. It runs
 * once per line of million-line files, so it allocates nothing on the good path (no closures, no
 * Decimal: moneyString checks the text, and "> 0" is "has a non-zero digit" on that text).
 */
/** Dates already proven real: a statement names a quarter's few dozen days a million times over. */
const REAL_DATES = new Set<string>();
function realDate(s: string): boolean {
  if (REAL_DATES.has(s)) return true;
  if (!isIsoDate(s)) return false;
  if (REAL_DATES.size < 10_000) REAL_DATES.add(s);
  return true;
}

export function checkLine(
  cells: readonly string[],
  lineNo: number,
  header: Header,
  ctx: StatementContext,
  locate: Locate,
): StatementLine | FinanceErrorDetail[] {
  const { index } = header;
  const valueDate = cellAt(cells, index.date);
  const reference = cellAt(cells, index.reference);
  const amount = cellAt(cells, index.amount);
  const description = cellAt(cells, index.description);
  const money = moneyString.safeParse(amount);
  let extra = -1;
  if (cells.length > header.named.size) extra = cells.findIndex((v, i) => !header.named.has(i) && v.trim() !== '');
  const good =
    extra < 0 &&
    realDate(valueDate) &&
    valueDate >= ctx.quarterStart &&
    valueDate <= ctx.quarterEnd &&
    valueDate <= ctx.today &&
    reference !== '' &&
    reference.length <= MAX_REFERENCE &&
    !CONTROL.test(reference) &&
    money.success &&
    NON_ZERO.test(amount) &&
    description.length <= MAX_DESCRIPTION &&
    !description.includes('\u0000');
  if (good) return { lineNo, valueDate, reference, amount, description };

  const problems: FinanceErrorDetail[] = [];
  const fail = (c: StatementColumn, message: string) => problems.push({ path: locate(lineNo, index[c] ?? 0, c), message });
  if (extra >= 0) problems.push({ path: locate(lineNo, extra, '(no header)'), message: 'a value in a column the header does not name' });
  if (!isIsoDate(valueDate)) fail('date', `must be a date YYYY-MM-DD, got ${JSON.stringify(valueDate)}`);
  else if (valueDate < ctx.quarterStart || valueDate > ctx.quarterEnd) fail('date', `${valueDate} is outside the quarter (${ctx.quarterStart} to ${ctx.quarterEnd})`);
  else if (valueDate > ctx.today) fail('date', `${valueDate} is in the future`);
  if (reference === '') fail('reference', 'must not be empty (the subsidy claim id the payment carried)');
  else if (reference.length > MAX_REFERENCE) fail('reference', `must be at most ${MAX_REFERENCE} characters`);
  else if (CONTROL.test(reference)) fail('reference', 'must not contain control characters');
  if (!money.success) fail('amount', `${money.error.issues[0]!.message}, got ${JSON.stringify(amount)}`);
  else if (!NON_ZERO.test(amount)) fail('amount', `must be greater than 0.00, got ${JSON.stringify(amount)}`);
  if (description.length > MAX_DESCRIPTION) fail('description', `must be at most ${MAX_DESCRIPTION} characters`);
  // PostgreSQL text cannot hold it: refused here, with its place, rather than by the database.
  else if (description.includes('\u0000')) fail('description', 'must not contain the NUL character (U+0000)');
  return problems;
}

/** Collects problems up to the limit, then stops the read with a StatementFileError. */
export class ProblemList {
  readonly items: FinanceErrorDetail[] = [];
  add(...ps: FinanceErrorDetail[]): void {
    for (const p of ps) if (this.items.length < MAX_REPORTED_PROBLEMS) this.items.push(p);
  }
  get full(): boolean {
    return this.items.length >= MAX_REPORTED_PROBLEMS;
  }
  get any(): boolean {
    return this.items.length > 0;
  }
}

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
