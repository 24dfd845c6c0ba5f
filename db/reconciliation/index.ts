/**
 * The finance bureau's rules over bank statements, reconciliations and quarters. The API routes
 * and the `loanflow` CLI both call these functions, so the same rules hold whichever is used.
 */
export * from './errors';
export * from './statement-format';
export { readCsvStatement, type StatementEncoding } from './read-csv';
export { readXlsxStatement } from './read-xlsx';
export { payoutsSql, ledgerDisagreementsSql, listPayouts, type Payout } from './payouts';
export { PayoutIndex, RECEIPT_WINDOW_DAYS, OUTCOMES, type Outcome, type LineOutcome, type MismatchKind, type MatchCounts } from './match';
export { importStatement, IMPORT_PHASES, type ImportInput, type ImportResult, type ImportProgress, type ImportPhase } from './import';
export { LineBatch } from './line-batch';
export * from './queries';
export { resolveMismatch, payClaimAgain, REVERSIBLE_KINDS, type ResolveInput, type PayAgainInput } from './resolve';
export * from './periods';
