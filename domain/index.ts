/**
 * The pure rules of loanflow: no I/O, no clock, no randomness, so workflows may import
 * any of it and the same inputs always give the same answer.
 */
export * from './money';
export * from './money-schemas';
export * from './dates';
export * from './date-schemas';
export * from './id-number';
export * from './id-number-schema';
export * from './enums';
export * from './policy';
export * from './subsidy';
export * from './schedule';
export * from './eligibility';
export * from './masking';
