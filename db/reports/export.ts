import ExcelJS from 'exceljs';
import { KPI_COLUMNS, NOT_COMPUTABLE, TARGETS, type ColumnKind } from './columns';
import type { KpiReport, KpiRow } from './kpi';
import { csvFile } from './csv';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';


/** A flag as the words an officer reads; everything else as its exact string. */
function shown(kind: ColumnKind, v: string | number | boolean | null): string {
  if (v === null) return '';
  if (kind === 'flag') return v ? 'met' : 'not met';
  return String(v);
}

/**
 * The report as CSV (csvFile: UTF-8 with a BOM, text that could start a formula quoted): one
 * line per group, then the total. Amounts, rates and days are the exact decimal strings.
 */
export function kpiCsv(r: KpiReport): Buffer {
  const head = ['Group', 'Group id', ...KPI_COLUMNS.map((c) => c.label)];
  const line = (row: KpiRow) => [row.name, row.key, ...KPI_COLUMNS.map((c) => shown(c.kind, row.values[c.key] ?? null))];
  return csvFile([head, ...r.rows.map(line), line(r.total)]);
}

export const NUMBER_FORMATS: Record<Exclude<ColumnKind, 'text' | 'flag'>, string> = {
  count: '#,##0',
  money: '#,##0.00',
  rate: '0.00%',
  days: '0.00',
  ratio: '0.00',
};

/**
 * A spreadsheet cell of a value. Money, rates and days are computed exactly (NUMERIC, decimal.js)
 * and become number cells only here, at the edge, so that a finance officer can add them up in
 * Excel: every amount is a whole number of fen far below 2^53 fen, so the double holds it exactly,
 * and the `#,##0.00` format shows it as computed. The CSV keeps the exact strings.
 */
function cell(kind: ColumnKind, v: string | number | boolean | null): ExcelJS.CellValue {
  if (v === null) return null;
  if (kind === 'text' || kind === 'flag') return shown(kind, v);
  return typeof v === 'number' ? v : Number(v);
}

/** The report as XLSX (exceljs): a "KPI" sheet with proper number formats, and a "Notes" sheet. */
export async function kpiXlsx(r: KpiReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'loanflow';
  const ws = wb.addWorksheet('KPI', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  ws.columns = [
    { header: 'Group', key: '__name', width: 36 },
    { header: 'Group id', key: '__key', width: 38 },
    ...KPI_COLUMNS.map((c) => ({ header: c.label, key: c.key, width: c.kind === 'text' ? 48 : 18, style: c.kind === 'text' || c.kind === 'flag' ? {} : { numFmt: NUMBER_FORMATS[c.kind] } })),
  ];
  ws.getRow(1).font = { bold: true };
  const add = (row: KpiRow) => {
    const values: Record<string, ExcelJS.CellValue> = { __name: row.name, __key: row.key };
    for (const c of KPI_COLUMNS) values[c.key] = cell(c.kind, row.values[c.key] ?? null);
    return ws.addRow(values);
  };
  r.rows.forEach(add);
  add(r.total).font = { bold: true };

  const notes = wb.addWorksheet('Notes');
  notes.columns = [{ width: 36 }, { width: 120 }];
  notes.addRows([
    ['From', r.from],
    ['To', r.to],
    ['Grouped by', r.groupBy],
    [],
    ['Target', 'Met when the indicator reaches'],
    ...Object.entries(TARGETS).map(([key, t]) => [KPI_COLUMNS.find((c) => c.key === key)!.label, t.label]),
    ...(NOT_COMPUTABLE.length ? [[], ['Not computable', 'Why'], ...NOT_COMPUTABLE.map((n) => [KPI_COLUMNS.find((c) => c.key === n.key)!.label, n.why])] : []),
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
