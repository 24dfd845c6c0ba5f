/**
 * Bank statements, reconciliations and quarters in the records: importing and matching a statement,
 * and the finance bureau's reads. The decisions on them are use cases (usecases/), which the API
 * routes and the `loanflow` CLI both call, so the same rules hold whichever is used.
 */
export * from './errors';
export * from './statement-format';
export { readCsvStatement, type StatementEncoding } from './read-csv';
export { readXlsxStatement } from './read-xlsx';
export { payoutsSql, ledgerDisagreementsSql, listPayouts, type Payout } from './payouts';
export { RECEIPT_WINDOW_DAYS, OUTCOMES, type Outcome, type LineOutcome, type MismatchKind } from '../../domain/reconciliation';
export { importStatement, IMPORT_PHASES, type ImportInput, type ImportResult, type ImportProgress, type ImportPhase, type MatchCounts } from './import';
export * from './queries';
export * from './periods';
