/** The indicators of docs/domain.md §5 and their exports, shared by GET /v1/reports/kpi and `loanflow report kpi`. */
export * from './columns';
export { kpiReport, rate, GROUP_BY, type GroupBy, type KpiReport, type KpiRow, type KpiValue } from './kpi';
export { kpiCsv, kpiXlsx, NUMBER_FORMATS, XLSX_TYPE } from './export';
