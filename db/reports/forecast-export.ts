import ExcelJS from 'exceljs';
import type { Backtest, ForecastResult, WhatIfResult } from '../../domain/forecast';
import { NUMBER_FORMATS } from './export';
import { csvFile as csv } from './csv';

/**
 * The forecast and the what-if as CSV and XLSX (docs/forecast.md), with the same library and the
 * same conventions as the indicator report (docs/reports.md): CSV in UTF-8 with a BOM and exact
 * decimal strings; XLSX number cells converted only here, at the edge.
 */

type Forecast = ForecastResult & { backtest?: Backtest | null };

const BAND_HEAD = ['scheduled', 'expected', 'p10', 'p90', 'pipeline scheduled', 'pipeline expected', 'total expected', 'total p10', 'total p90'];
const bandCells = (b: ForecastResult['byQuarter'][number] | ForecastResult['rows'][number] | ForecastResult['byBudgetYear'][number]) => [
  b.scheduled, b.expected, b.p10, b.p90, b.pipelineScheduled, b.pipelineExpected, b.total.expected, b.total.p10, b.total.p90,
];

/** One table: a line per quarter (all banks), per quarter and bank, and per budget year of payment. */
export function forecastCsv(f: Forecast): Buffer {
  return csv([
    ['level', 'period', 'bank', ...BAND_HEAD, 'expected compensation'],
    ...f.byQuarter.map((q) => ['quarter', q.quarter, '', ...bandCells(q), q.expectedLoss.compensation]),
    ...f.rows.map((r) => ['quarter_bank', r.quarter, r.bankName ?? 'not yet assigned', ...bandCells(r), '']),
    ...f.byBudgetYear.map((y) => ['budget_year', String(y.year), '', ...bandCells(y), '']),
    ...f.byBudgetYear.map((y) => ['budget_year_accrued_unpaid', String(y.year), '', '', y.accrued, '', '', '', '', y.accrued, y.accrued, y.accrued, '']),
  ]);
}

const num = (v: string | null) => (v === null ? null : Number(v));

function sheet(wb: ExcelJS.Workbook, name: string, columns: Array<{ header: string; kind: 'text' | 'money' | 'rate' | 'count'; width?: number }>, rows: Array<Array<string | number | boolean | null>>) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? (c.kind === 'text' ? 24 : 16), style: c.kind === 'text' ? {} : { numFmt: NUMBER_FORMATS[c.kind] } }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v, i) => (columns[i]!.kind === 'text' || typeof v !== 'string' ? v : num(v))));
}

const money = (header: string) => ({ header, kind: 'money' as const });
const text = (header: string, width?: number) => ({ header, kind: 'text' as const, width });

/** Sheets: by quarter, by bank, budget years (cash timing), exposure, rates, and the backtest when there is one. */
export async function forecastXlsx(f: Forecast): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'loanflow';
  const band = BAND_HEAD.map(money);
  sheet(wb, 'By quarter', [text('quarter'), ...band, money('compensation (fund + company)'), money('loss: fund'), money('loss: bank'), money('loss: company')],
    f.byQuarter.map((q) => [q.quarter, ...bandCells(q), q.expectedLoss.compensation, q.expectedLoss.guaranteeFund, q.expectedLoss.bank, q.expectedLoss.guaranteeCompany]));
  sheet(wb, 'By bank', [text('quarter'), text('bank', 36), ...band], f.rows.map((r) => [r.quarter, r.bankName ?? 'not yet assigned', ...bandCells(r)]));
  sheet(wb, 'Budget years', [{ header: 'year', kind: 'count' }, text('due quarters', 36), ...band, money('accrued, unpaid (in total)')], f.byBudgetYear.map((y) => [y.year, y.dueQuarters.join(' '), ...bandCells(y), y.accrued]));
  sheet(wb, 'Exposure', [text('guarantee company', 36), text('on'), money('outstanding guaranteed'), money('deposit'), { header: 'leverage cap', kind: 'count' }, money('cap'), { header: 'utilisation', kind: 'rate' }, text('warning')],
    f.exposure.flatMap((e) => [e.now, ...e.byQuarter].map((p) => [e.name, p.on, p.outstanding, e.deposit, e.leverageCap, e.cap, p.utilisation, p.warning ? 'at or above 80%' : ''])));
  sheet(wb, 'Rates', [text('rate'), text('group', 40), { header: 'observed', kind: 'count' }, { header: 'events', kind: 'count' }, { header: 'posterior mean', kind: 'rate' }], [
    ...f.rates.onTime.map((r) => ['on time', `${r.bankId} ${r.ageBucket}`, r.periods, r.onTime, r.rate]),
    ...f.rates.default.map((r) => ['default', r.ageBucket, r.periods, r.defaults, r.rate]),
    ...f.rates.conversion.map((r) => ['conversion', r.step, r.decided, r.converted, r.rate]),
  ]);
  if (f.backtest) {
    sheet(wb, 'Backtest', [text('quarter'), money('expected'), money('p10'), money('p90'), money('actual'), { header: 'absolute % error', kind: 'rate' }, text('within band')],
      f.backtest.rows.map((r) => [r.quarter, r.expected, r.p10, r.p90, r.actual, r.absolutePercentError, r.withinBand ? 'yes' : 'no']));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const SIDE_HEAD = (what: string) => [`${what}: today`, `${what}: scenario`, `${what}: difference`];
type Side = { today: string; scenario: string; difference: string };
const sides = (...xs: Side[]) => xs.flatMap((x) => [x.today, x.scenario, x.difference]);

/** Side by side per quarter and per budget year: subsidy scheduled, expected and its band, compensation. */
export function whatIfCsv(w: WhatIfResult): Buffer {
  return csv([
    ['level', 'period', ...SIDE_HEAD('scheduled'), ...SIDE_HEAD('expected'), ...SIDE_HEAD('p10'), ...SIDE_HEAD('p90'), ...SIDE_HEAD('compensation')],
    ...w.byQuarter.map((q) => ['quarter', q.quarter, ...sides(q.scheduled, q.expected, q.p10, q.p90, q.compensation)]),
    ...w.byBudgetYear.map((y) => ['budget_year', String(y.year), ...sides(y.scheduled, y.expected, y.p10, y.p90), '', '', '']),
  ]);
}

export async function whatIfXlsx(w: WhatIfResult): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'loanflow';
  const m3 = (what: string) => SIDE_HEAD(what).map(money);
  sheet(wb, 'By quarter', [text('quarter'), ...m3('scheduled'), ...m3('expected'), ...m3('p10'), ...m3('p90'), ...m3('compensation')], w.byQuarter.map((q) => [q.quarter, ...sides(q.scheduled, q.expected, q.p10, q.p90, q.compensation)]));
  sheet(wb, 'Budget years', [{ header: 'year', kind: 'count' }, ...m3('scheduled'), ...m3('expected'), ...m3('p10'), ...m3('p90')], w.byBudgetYear.map((y) => [y.year, ...sides(y.scheduled, y.expected, y.p10, y.p90)]));
  sheet(wb, 'Exposure', [text('guarantee company', 36), ...m3('cap'), ...m3('peak outstanding'), text('warning today'), text('warning scenario')],
    w.exposure.map((e) => [e.name, ...sides(e.cap, e.peak), e.warningToday ? 'yes' : 'no', e.warningScenario ? 'yes' : 'no']));
  const notes = wb.addWorksheet('Scenario');
  notes.columns = [{ width: 28 }, { width: 60 }];
  notes.addRows([
    ['scope', w.scenario.scope],
    ...Object.entries(w.scenario.params).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
    [],
    ['pipeline applications', w.pipeline.applications],
    ['become eligible', w.pipeline.becomeEligible],
    ['become ineligible', w.pipeline.becomeIneligible],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
