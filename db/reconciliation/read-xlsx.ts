import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { StatementFileError } from './errors';
import { LineBatch } from './fastpath';
import { QUOTED_CELL_CHARS, StatementRows, clip, type StatementContext, type StatementLine } from './statement-format';

const columnLetter = (i: number): string => {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};
/** The last row a worksheet has (Excel's limit, and the largest row number OOXML allows). */
export const MAX_XLSX_ROW = 1_048_576;

const locate = (row: number, col: number, name: string) => `row ${row}, cell ${columnLetter(col)}${row} (${name})`;

class CellError extends Error {}

/**
 * A cell as the text the statement means. Amounts should be text cells ("80000.00"): then the
 * digits are exactly what the bank wrote. A number cell is accepted too, but only through its
 * shortest round-trip decimal (what the file's XML holds for any value typed with ≤ 15 significant
 * digits), and that text is then validated like any other: no arithmetic ever touches the float,
 * and a value that is not a whole fen (e.g. 0.30000000000000004 from a formula) is refused.
 * Dates may be date cells (calendar day as stored) or text YYYY-MM-DD.
 */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('error' in v) throw new CellError(`the cell holds the spreadsheet error ${clip(String(v.error))}`);
  }
  throw new CellError('unsupported cell content (expected text, a number or a date)');
}

/**
 * Streams the first worksheet of an XLSX statement in batches (exceljs's streaming reader: rows
 * arrive one by one; only the shared-strings table, which the format needs for random access, is
 * held).
 * Same columns, rules and errors as CSV, positions as "row 12, cell C12".
 */
export async function* readXlsxStatement(input: Readable, ctx: StatementContext): AsyncGenerator<LineBatch> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from number cells
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const rows = new StatementRows(ctx, locate);
  const { problems } = rows;
  let sheets = 0;
  let previous = 0;
  // Once the file is refused, the rest is still read through, not abandoned: exceljs removes the
  // temporary file it spooled a worksheet to (when the sheet comes before the shared strings, as
  // Excel writes them) only after reading it to the end. xlsx-bounds.ts bounds that reading.
  let stop = false;
  let batch: StatementLine[] = [];
  try {
    for await (const sheet of reader) {
      sheets += 1;
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        if (sheets > 1 || stop) continue; // only the first worksheet is the statement; the rest is drained
        // The row number is the file's own (<row r>): the line number the statement keeps, so it
        // must go upwards within a worksheet's rows, or two lines would share one (or wrap).
        const n = row.number;
        if (!Number.isSafeInteger(n) || n <= previous || n > MAX_XLSX_ROW) {
          problems.add({ path: `row ${n}`, message: `numbered ${n} after row ${previous}: the rows of a worksheet are numbered upwards, from 1 to ${MAX_XLSX_ROW}` });
          stop = true;
          continue;
        }
        previous = n;
        const values = (row.values as ExcelJS.CellValue[]).slice(1); // exceljs rows are 1-based
        const cells: string[] = [];
        let bad = false;
        values.forEach((v, i) => {
          try {
            cells[i] = cellText(v);
          } catch (e) {
            bad = true;
            problems.add({ path: locate(row.number, i, rows.header ? (Object.entries(rows.header.index).find(([, c]) => c === i)?.[0] ?? '(no header)') : 'header'), message: (e as Error).message });
          }
        });
        for (let i = 0; i < cells.length; i++) cells[i] ??= '';
        if (cells.every((c) => c.trim() === '')) continue;
        if (bad) {
          if (problems.full) stop = true;
          continue;
        }
        const line = rows.take(cells, row.number);
        if (rows.stopped) {
          stop = true;
          continue;
        }
        if (line) {
          batch.push(line);
          if (batch.length >= 2000) {
            yield LineBatch.of(batch);
            batch = [];
          }
        }
      }
    }
    if (batch.length && !problems.any) yield LineBatch.of(batch);
  } catch (e) {
    if (e instanceof StatementFileError) throw e;
    problems.add({ path: '(file)', message: `not readable as XLSX: ${clip((e as Error).message, 4 * QUOTED_CELL_CHARS)}` });
  } finally {
    input.destroy();
  }
  rows.finish(
    { path: 'row 1', message: 'the first worksheet is empty: expected a header row date, reference, amount, description' },
    { path: 'row 2', message: 'the statement has a header but no lines' },
  );
}
