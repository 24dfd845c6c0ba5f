import { GROUP_BY, KPI_COLUMNS, XLSX_TYPE, kpiCsv, kpiReport, kpiXlsx, type GroupBy } from '../db/reports';
import { todayOf, type RecordsDeps } from './deps';

export { GROUP_BY, XLSX_TYPE };

export interface KpiQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
}

/** The indicator report for a date range, grouped, with its column list. */
export async function kpi(deps: RecordsDeps, q: KpiQuery) {
  const report = await kpiReport(deps.db, { from: q.from, to: q.to, groupBy: q.groupBy, today: todayOf(deps) });
  return { ...report, columns: KPI_COLUMNS };
}

/** The same report as a file: its name, type and bytes. */
export async function kpiFile(deps: RecordsDeps, q: KpiQuery & { format: 'csv' | 'xlsx' }): Promise<{ name: string; type: string; body: string | Buffer }> {
  const report = await kpiReport(deps.db, { from: q.from, to: q.to, groupBy: q.groupBy, today: todayOf(deps) });
  const name = `kpi-${q.groupBy}-${q.from}-${q.to}.${q.format}`;
  if (q.format === 'csv') return { name, type: 'text/csv; charset=utf-8', body: kpiCsv(report) };
  return { name, type: XLSX_TYPE, body: await kpiXlsx(report) };
}
