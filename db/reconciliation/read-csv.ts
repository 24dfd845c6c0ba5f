import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { StatementFileError } from './errors';
import { checkLine, readHeader, ProblemList, type Header, type StatementContext, type StatementLine } from './statement-format';

export type StatementEncoding = 'utf-8' | 'gb18030';

const locate = (lineNo: number, col: number, name: string) => `line ${lineNo}, column ${col + 1} (${name})`;

/**
 * Bytes → text with a strict decoder: a byte sequence that is not valid in the declared encoding
 * stops the import with the line it is on, instead of turning into U+FFFD and a wrong reference.
 */
class StrictDecoder extends Transform {
  private readonly decoder: TextDecoder;
  private newlines = 0;
  constructor(private readonly encoding: StatementEncoding) {
    super({ readableObjectMode: false, decodeStrings: true });
    this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  }
  private fail(chunk?: Buffer): Error {
    // Where: the first replacement character a lenient decoding produces.
    const lenient = chunk ? new TextDecoder(this.encoding).decode(chunk) : '';
    const at = lenient.indexOf('\uFFFD');
    const line = this.newlines + 1 + (at >= 0 ? (lenient.slice(0, at).match(/\n/g)?.length ?? 0) : (lenient.match(/\n/g)?.length ?? 0));
    return new StatementFileError(`The statement is not valid ${this.encoding.toUpperCase()} text (line ${line}); nothing was imported`, [
      { path: `line ${line}`, message: `bytes that are not ${this.encoding.toUpperCase()}: save the file as ${this.encoding === 'utf-8' ? 'UTF-8 (or say encoding=gb18030)' : 'GB18030'}` },
    ]);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      return cb(this.fail(chunk));
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.newlines += 1;
    cb(null, text);
  }
  override _flush(cb: TransformCallback): void {
    try {
      cb(null, this.decoder.decode());
    } catch {
      cb(this.fail());
    }
  }
}

/**
 * Streams a CSV statement: validated lines come out one by one, so a million-line file never sits
 * in memory. Any problem (header, cell, quoting, encoding, empty file) ends the stream with a
 * StatementFileError naming line and column — after at most MAX_REPORTED_PROBLEMS of them, so a
 * user fixes the file in one go rather than one error per upload.
 */
export async function* readCsvStatement(input: Readable, ctx: StatementContext, encoding: StatementEncoding = 'utf-8'): AsyncGenerator<StatementLine> {
  // csv-parse: a maintained RFC 4180 parser with streaming, quoting and line numbers.
  const records = pipeline(
    input,
    new StrictDecoder(encoding),
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }),
    () => undefined, // errors reach the loop below through the last stream
  );
  const problems = new ProblemList();
  let header: Header | undefined;
  let lines = 0;
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        const h = readHeader(record, info.lines, locate);
        if ('problems' in h) {
          problems.add(...h.problems);
          break;
        }
        header = h;
        continue;
      }
      lines += 1;
      const line = checkLine(record, info.lines, header, ctx, locate);
      if (Array.isArray(line)) {
        problems.add(...line);
        if (problems.full) break;
      } else if (!problems.any) {
        yield line;
      }
    }
  } catch (e) {
    if (e instanceof StatementFileError) throw e;
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      problems.add({ path: line ? `line ${line}` : '(file)', message: `not readable as CSV: ${e.message}` });
    } else {
      throw e;
    }
  } finally {
    input.destroy();
  }
  if (!problems.any && !header) problems.add({ path: 'line 1', message: 'the file is empty: expected a header line date,reference,amount,description' });
  else if (!problems.any && lines === 0) problems.add({ path: 'line 2', message: 'the statement has a header but no lines' });
  if (problems.any) throw new StatementFileError(`The statement cannot be imported: ${problems.items[0]!.path} — ${problems.items[0]!.message}; nothing was imported`, problems.items);
}
