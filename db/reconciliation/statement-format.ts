import { MAX_INTEGER_DIGITS } from '../../domain/money';
import { moneyString } from '../../domain/money-schemas';
import { isIsoDate } from '../../domain/dates';
import { StatementFileError, type FinanceErrorDetail } from './errors';
import type { StatementLine } from './statement-line';

export type { StatementLine } from './statement-line';

/**
 * A bank's statement of subsidy receipts, one receipt per line, in CSV or XLSX with the same
 * columns (docs/reconciliation.md "Bank statement format"). The header row names the columns, in any order:
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
/**
 * The longest physical line (bytes; characters for a decoded file) and the longest quoted record
 * (characters) a statement may have. A real line is a few hundred bytes (the longest cells are
 * 500 characters); the bound keeps one line from growing without end — a file whose line breaks
 * are CR only, or a stray quote that swallows the rest of the file (docs/reconciliation.md "Limits").
 */
export const MAX_LINE_BYTES = 65_536;
/**
 * The most lines a statement may have: twice the largest bank statement the import is measured
 * on (docs/benchmarks.md), and every line is kept for good.
 */
export const MAX_STATEMENT_LINES = 2_000_000;

/** The most of a cell a problem quotes: enough to find it, never the whole of a hostile one. */
export const QUOTED_CELL_CHARS = 60;

/** A cell's text as a problem quotes it: its first `max` characters, then "…". */
export function clip(s: string, max = QUOTED_CELL_CHARS): string {
  if (s.length <= max) return s;
  const cut = /[\ud800-\udbff]/.test(s[max - 1]!) ? max - 1 : max; // never half a pair
  return `${s.slice(0, cut)}…`;
}

/** A cell in quotes, clipped. */
export const quote = (s: string) => JSON.stringify(clip(s));

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
      problems.push({ path: locate(lineNo, i, clip(raw.trim()) || '(empty)'), message: `unknown column ${quote(raw.trim())}: ${expected}` });
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
  if (!isIsoDate(valueDate)) fail('date', `must be a date YYYY-MM-DD, got ${quote(valueDate)}`);
  else if (valueDate < ctx.quarterStart || valueDate > ctx.quarterEnd) fail('date', `${valueDate} is outside the quarter (${ctx.quarterStart} to ${ctx.quarterEnd})`);
  else if (valueDate > ctx.today) fail('date', `${valueDate} is in the future`);
  if (reference === '') fail('reference', 'must not be empty (the subsidy claim id the payment carried)');
  else if (reference.length > MAX_REFERENCE) fail('reference', `must be at most ${MAX_REFERENCE} characters`);
  else if (CONTROL.test(reference)) fail('reference', 'must not contain control characters');
  if (!money.success) fail('amount', `${money.error.issues[0]!.message}, got ${quote(amount)}`);
  else if (!NON_ZERO.test(amount)) fail('amount', `must be greater than 0.00, got ${quote(amount)}`);
  if (description.length > MAX_DESCRIPTION) fail('description', `must be at most ${MAX_DESCRIPTION} characters`);
  // PostgreSQL text cannot hold it: refused here, with its place, rather than by the database.
  else if (description.includes('\u0000')) fail('description', 'must not contain the NUL character (U+0000)');
  return problems;
}

/** The line past MAX_STATEMENT_LINES: the file is refused there. */
function tooManyLines(lineNo: number): StatementFileError {
  const message = `more than ${MAX_STATEMENT_LINES} lines: split the statement (e.g. by month) and import each part`;
  return new StatementFileError(`The statement cannot be imported: line ${lineNo} — ${message}; nothing was imported`, [{ path: `line ${lineNo}`, message }]);
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

/**
 * A statement's rows in order, whatever the file format: the first is the header, each other a
 * line checked against it. Problems collect in `problems`; a good line is answered only while there
 * are none (a file with a problem imports nothing).
 */
export class StatementRows {
  header: Header | undefined;
  /** Lines after the header, good or not. */
  lines = 0;
  readonly problems = new ProblemList();

  constructor(
    private readonly ctx: StatementContext,
    private readonly locate: Locate,
  ) {}

  /** The row's good line, or undefined (the header, or a line with problems). */
  take(cells: string[], lineNo: number): StatementLine | undefined {
    if (!this.header) {
      const h = readHeader(cells, lineNo, this.locate);
      if ('problems' in h) this.problems.add(...h.problems);
      else this.header = h;
      return undefined;
    }
    this.counted(lineNo);
    const line = checkLine(cells, lineNo, this.header, this.ctx, this.locate);
    if (Array.isArray(line)) this.problems.add(...line);
    return Array.isArray(line) || this.problems.any ? undefined : line;
  }

  /** Counts a line after the header (here, or by a fast path that checked it itself); refuses the one past the limit. */
  counted(lineNo: number): void {
    if (++this.lines > MAX_STATEMENT_LINES) throw tooManyLines(lineNo);
  }

  /** No row should follow: the header was refused, or as many problems are known as are reported. */
  get stopped(): boolean {
    return this.problems.full || (this.problems.any && !this.header);
  }

  /** At the end of the file: an empty file or one with no lines is a problem too; any problem is thrown. */
  finish(empty: FinanceErrorDetail, noLines: FinanceErrorDetail): void {
    const { problems } = this;
    if (!problems.any && !this.header) problems.add(empty);
    else if (!problems.any && this.lines === 0) problems.add(noLines);
    if (problems.any) throw new StatementFileError(`The statement cannot be imported: ${problems.items[0]!.path} — ${problems.items[0]!.message}; nothing was imported`, problems.items);
  }
}
