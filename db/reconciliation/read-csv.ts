import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { parse as parseSync, CsvError } from 'csv-parse/sync';
import { StatementFileError } from './errors';
import { LineBatch, LineBytesCheck } from './fastpath';
import { MAX_LINE_BYTES, QUOTED_CELL_CHARS, StatementRows, clip, type StatementContext, type StatementLine } from './statement-format';

const EMPTY = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export type StatementEncoding = 'utf-8' | 'gb18030';

const locate = (lineNo: number, col: number, name: string) => `line ${lineNo}, column ${col + 1} (${name})`;

function encodingProblem(encoding: StatementEncoding, line: number) {
  return new StatementFileError(`The statement is not valid ${encoding.toUpperCase()} text (line ${line}); nothing was imported`, [
    { path: `line ${line}`, message: `bytes that are not ${encoding.toUpperCase()}: save the file as ${encoding === 'utf-8' ? 'UTF-8 (or say encoding=gb18030)' : 'GB18030'}` },
  ]);
}

/** A line with no end in sight: refused before it is joined or decoded any further. */
function tooLong(line: number) {
  return new StatementFileError(`The statement cannot be imported: line ${line} is longer than ${MAX_LINE_BYTES} bytes; nothing was imported`, [
    { path: `line ${line}`, message: `longer than ${MAX_LINE_BYTES} bytes: a statement line is a few hundred at most (save the file with LF or CRLF line breaks)` },
  ]);
}

/** The problem for bytes that are not valid: its line is where a lenient decoding first gave U+FFFD. */
function badBytes(encoding: StatementEncoding, bytes: Uint8Array, linesBefore: number) {
  const lenient = new TextDecoder(encoding).decode(bytes);
  const at = lenient.indexOf('\uFFFD');
  return encodingProblem(encoding, linesBefore + 1 + (lenient.slice(0, Math.max(at, 0)).match(/\n/g)?.length ?? 0));
}

/**
 * Splits decoded text into CSV records with their first physical line. A line without a quote is
 * split on commas directly — RFC 4180 says that is all it is, and it is ~15× cheaper than a general
 * parser per record. A line with a quote (a quoted cell, maybe spanning lines) goes to csv-parse,
 * the maintained RFC 4180 parser, so quoting rules are never hand-written here. Whether a quoted
 * record is complete is the parity of its quotes, counted once per line as it arrives; a record
 * still open after MAX_LINE_BYTES characters is a stray quote, refused where it opened.
 */
class Records {
  private rest = '';
  private open = '';
  /** Quotes in `open` so far: the record is complete when they are even. */
  private quotes = 0;
  private pendingLine = 0;
  private line = 0;
  private first = true;

  /** Feeds text; returns the records completed by it. */
  push(text: string, out: Array<{ cells: string[]; line: number }>): void {
    let s = this.rest + text;
    if (this.first && s.length) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.first = false;
    }
    let start = 0;
    for (let nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      this.take(s.charCodeAt(nl - 1) === 13 ? s.slice(start, nl - 1) : s.slice(start, nl), out);
      start = nl + 1;
    }
    this.rest = s.slice(start);
    if (this.rest.length > MAX_LINE_BYTES) throw tooLong(this.line + 1);
  }

  /** One physical line (without its line break) with its number, from a reader that splits lines itself. */
  takeLine(l: string, lineNo: number, out: Array<{ cells: string[]; line: number }>): void {
    this.line = lineNo - 1;
    this.take(l, out);
  }

  /** Inside a quoted cell that spans lines: the next lines belong to it. */
  get pending(): boolean {
    return this.open.length > 0;
  }

  end(out: Array<{ cells: string[]; line: number }>): void {
    if (this.rest.length) this.take(this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest, out);
    this.rest = '';
    if (this.open) this.quoted(out, true);
  }

  private take(l: string, out: Array<{ cells: string[]; line: number }>): void {
    this.line += 1;
    if (l.length > MAX_LINE_BYTES) throw tooLong(this.line);
    if (this.open) {
      if (this.open.length + 1 + l.length > MAX_LINE_BYTES) {
        const at = this.pendingLine;
        throw new StatementFileError(`The statement cannot be imported: line ${at} — a quote is not closed; nothing was imported`, [
          {
            path: `line ${at}`,
            message: `a quote opened on this line is not closed within ${MAX_LINE_BYTES} characters: a cell with a " in it must be quoted whole, its quotes doubled ("27"" LED")`,
          },
        ]);
      }
      this.open += '\n' + l;
      this.quotes += quotesIn(l);
      if (this.quotes % 2 === 0) this.quoted(out, false);
      return;
    }
    if (l.length === 0) return;
    if (l.indexOf('"') < 0) {
      out.push({ cells: l.split(','), line: this.line });
      return;
    }
    this.open = l;
    this.quotes = quotesIn(l);
    this.pendingLine = this.line;
    if (this.quotes % 2 === 0) this.quoted(out, false);
  }

  private quoted(out: Array<{ cells: string[]; line: number }>, atEnd: boolean): void {
    const text = this.open;
    const line = this.pendingLine;
    this.open = '';
    try {
      const [cells] = parseSync(text, { relax_column_count: true }) as string[][];
      out.push({ cells: cells ?? [], line });
    } catch (e) {
      // csv-parse's message quotes the field: clipped like any cell.
      const why = clip(e instanceof CsvError ? e.message : String(e), 4 * QUOTED_CELL_CHARS);
      throw new StatementFileError(`The statement cannot be imported: line ${line} — not readable as CSV; nothing was imported`, [
        { path: `line ${line}`, message: `not readable as CSV${atEnd ? ' (a quote is never closed)' : ''}: ${why}` },
      ]);
    }
  }
}

const quotesIn = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/**
 * Streams a CSV statement in batches of validated lines, so a million-line file never sits in
 * memory. Any problem (header, cell, quoting, encoding, empty file) ends the stream with a
 * StatementFileError naming line and column — after at most MAX_REPORTED_PROBLEMS of them, so a
 * user fixes the file in one go rather than one error per upload. The decoder is strict: bytes
 * that are not valid in the declared encoding stop the import with their line, instead of turning
 * into U+FFFD and a wrong reference.
 *
 * UTF-8 files are read as bytes: each line is first offered to LineBytesCheck, which takes the
 * ordinary line without making a string of it; any other line (the header, quotes, a problem) is
 * decoded and goes through Records and checkLine like every line of a GB18030 file.
 */
export async function* readCsvStatement(input: Readable, ctx: StatementContext, encoding: StatementEncoding = 'utf-8'): AsyncGenerator<LineBatch> {
  const records = new Records();
  const rows = new StatementRows(ctx, locate);
  const { problems } = rows;
  const handle = (batch: Array<{ cells: string[]; line: number }>): StatementLine[] => {
    const good: StatementLine[] = [];
    for (const r of batch) {
      const line = rows.take(r.cells, r.line);
      if (line) good.push(line);
      if (rows.stopped) break;
    }
    return good;
  };
  const stopped = () => rows.stopped;

  /** GB18030 (or any other encoding): decoded text, every line through checkLine. */
  async function* textLines(): AsyncGenerator<LineBatch> {
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    let newlines = 0;
    for await (const chunk of input) {
      let text: string;
      try {
        text = decoder.decode(chunk as Buffer, { stream: true });
      } catch {
        throw badBytes(encoding, chunk as Buffer, newlines);
      }
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines++;
      const batch: Array<{ cells: string[]; line: number }> = [];
      records.push(text, batch);
      const good = handle(batch);
      if (good.length) yield LineBatch.of(good);
      if (stopped()) return;
    }
    const batch: Array<{ cells: string[]; line: number }> = [];
    try {
      records.push(decoder.decode(), batch);
    } catch {
      throw encodingProblem(encoding, newlines + 1);
    }
    records.end(batch);
    const good = handle(batch);
    if (good.length) yield LineBatch.of(good);
  }

  /** UTF-8: the bytes as read, line by line. */
  async function* utf8Lines(): AsyncGenerator<LineBatch> {
    let check: LineBytesCheck | undefined;
    let lineNo = 0;
    let carry: Buffer = EMPTY;
    let atStart = true;
    // Lines checkLine passed, waiting for their turn: order is kept by yielding whichever kind
    // of line came first before the other kind is added.
    let slow: StatementLine[] = [];

    /** The lines of buf[s0, e0): whole lines, the last one ending with a line break unless the file did. */
    function* region(buf: Buffer, s0: number, e0: number): Generator<LineBatch> {
      if (!isUtf8(buf.subarray(s0, e0))) throw badBytes('utf-8', buf.subarray(s0, e0), lineNo);
      let batch = new LineBatch(buf, 4096);
      for (let s = s0; s < e0 && !stopped(); ) {
        let nl = buf.indexOf(10, s);
        if (nl < 0 || nl >= e0) nl = e0;
        const e = nl > s && buf[nl - 1] === 13 ? nl - 1 : nl;
        lineNo += 1;
        if (e - s > MAX_LINE_BYTES) throw tooLong(lineNo);
        const from = s;
        s = nl + 1;
        if (check && !records.pending) {
          if (e === from) continue; // an empty line, as Records skips it
          if (slow.length) {
            yield LineBatch.of(slow);
            slow = [];
          }
          const before = batch.count;
          if (check.accept(buf, from, e, lineNo, batch)) {
            rows.counted(lineNo);
            if (problems.any) batch.count = before; // checked, never kept: nothing is imported
            continue;
          }
        }
        const out: Array<{ cells: string[]; line: number }> = [];
        records.takeLine(buf.toString('utf8', from, e), lineNo, out);
        const good = handle(out);
        if (rows.header && !check) check = new LineBytesCheck(rows.header, ctx);
        if (good.length) {
          if (batch.count) {
            yield batch;
            batch = new LineBatch(buf, 4096);
          }
          slow.push(...good);
        }
      }
      if (batch.count) yield batch;
    }

    for await (const chunk of input) {
      let buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      if (atStart) {
        if (buf.length < BOM.length) {
          carry = buf;
          continue;
        }
        if (buf.subarray(0, BOM.length).equals(BOM)) buf = buf.subarray(BOM.length);
        atStart = false;
      }
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        // No line break yet: joined with the next chunk, but never without end (a CR-only file).
        if (buf.length > MAX_LINE_BYTES) throw tooLong(lineNo + 1);
        carry = buf;
        continue;
      }
      yield* region(buf, 0, last + 1);
      carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : EMPTY;
      if (stopped()) return;
    }
    if (atStart && carry.subarray(0, BOM.length).equals(BOM)) carry = carry.subarray(BOM.length);
    if (carry.length) yield* region(carry, 0, carry.length);
    if (stopped()) return;
    const out: Array<{ cells: string[]; line: number }> = [];
    records.end(out);
    slow.push(...handle(out));
    if (slow.length) yield LineBatch.of(slow);
  }

  try {
    yield* encoding === 'utf-8' ? utf8Lines() : textLines();
  } catch (e) {
    if (!(e instanceof StatementFileError)) throw e;
    problems.add(...e.details);
  } finally {
    input.destroy();
  }
  rows.finish(
    { path: 'line 1', message: 'the file is empty: expected a header line date,reference,amount,description' },
    { path: 'line 2', message: 'the statement has a header but no lines' },
  );
}
