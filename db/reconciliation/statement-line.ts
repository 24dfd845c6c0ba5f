/** One line of a bank statement, validated (statement-format.ts `checkLine`). */
export interface StatementLine {
  /** CSV: the file's line (header = 1); XLSX: the row number. */
  lineNo: number;
  valueDate: string;
  reference: string;
  /** Exactly as written (validated); Postgres NUMERIC(18,2) gives it two decimals. */
  amount: string;
  description: string;
}
