/**
 * The one writer of the CSV files we hand out (the indicator report, the forecast, the what-if):
 * UTF-8 with a BOM, so spreadsheet programs read the Chinese labels right, CRLF lines, RFC 4180
 * quoting. Small enough that no CSV writer package is pulled in for it (csv-parse, which we
 * depend on, only reads).
 *
 * Formula injection (docs/security.md, "Files we hand out"): Excel and WPS run a cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return (or the full-width `＝ ＋ － ＠`) as a
 * formula, so a name such as `=HYPERLINK(...)` would run on a finance officer's machine. Such a
 * cell gets a leading single quote (OWASP's rule), which the spreadsheet shows as text. A cell
 * that is exactly a decimal number (`-1200.00`, a negative amount or difference) is left as it is:
 * the spreadsheet reads it as a number, never as a formula, and the officer can add it up.
 */

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The cell as the spreadsheet must read it: text that could start a formula is quoted as text. */
export function csvCell(v: string): string {
  const safe = FORMULA_START.test(v) && !DECIMAL.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole file, from its lines of cells. */
export function csvFile(lines: readonly (readonly string[])[]): Buffer {
  const text = lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
