/**
 * The statement import's fast path, behind this one door: what reads, checks, matches and writes a
 * million lines without a JavaScript string or object per line (docs/reconciliation.md "How the
 * import streams"). Nothing outside db/reconciliation/fastpath imports deeper than this file
 * (.dependency-cruiser.cjs).
 *
 * The rules it applies are not its own: the matching rule is domain/reconciliation.ts `reconcile`,
 * a line's checks and their messages are statement-format.ts `checkLine`, the money rules are
 * domain/money.ts. Property tests hold each fast version to the plain one
 * (test/finance/fastpath.test.ts, test/finance/statement-bytes.test.ts).
 */
export { PayoutIndex } from './payout-index';
export { CopyRows } from './copy-rows';
export { Field, LineBatch } from './line-batch';
export { LineBytesCheck } from './line-bytes-check';
export { MoneyTotal } from './money-total';
