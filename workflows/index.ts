// Every workflow the worker registers. Workflow code is bundled and sandboxed: import only
// @temporalio/workflow, pure domain code, and types.
export * from './system-check';
export * from './application';
export * from './loan';
export * from './subsidy-claim';
export * from './programme-claim';
export * from './ledger-sealing';
export * from './housekeeping';
export * from './follow-up';
