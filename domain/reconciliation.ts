import { daysBetween } from './dates';
import { toMoney } from './money';

/**
 * How a bank's statement of subsidy receipts is matched against the payouts of its quarter
 * (docs/domain.md §1.8, docs/reconciliation.md "Matching"). This is the rule as it reads; the import
 * applies it with a fast path over the file's bytes (db/reconciliation/fastpath), which a property
 * test holds to this one (test/finance/fastpath.test.ts).
 */

/**
 * A receipt may be booked on the payout's day or up to this many days later (a transfer over a
 * weekend or a public holiday such as the October week arrives later).
 */
export const RECEIPT_WINDOW_DAYS = 7;

export const OUTCOMES = ['matched', 'missing_in_ledger', 'missing_in_statement', 'amount_differs', 'date_differs', 'duplicated'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type MismatchKind = Exclude<Outcome, 'matched'>;
/** What a statement line can be; `missing_in_statement` is a payout's, never a line's. */
export type LineOutcome = Exclude<Outcome, 'missing_in_statement'>;

/** One line of the statement: what the bank booked. */
export interface Receipt {
  valueDate: string;
  reference: string;
  amount: string;
}

/** One payout of the ledger to the bank in the quarter (a paid, unreversed subsidy claim). */
export interface Payout {
  claimId: string;
  entryId: number;
  postedOn: string;
  amount: string;
}

export interface Reconciled<P extends Payout = Payout> {
  /** Each line's outcome, and the payout it named (none for missing_in_ledger). */
  lines: Array<{ outcome: LineOutcome; payout: P | undefined }>;
  /** Payouts no line named, by date, then entry. */
  missingInStatement: P[];
}

/**
 * A receipt matches when its reference is the claim id (case aside), its amount equals the payout's
 * and its date is the payout's day or up to RECEIPT_WINDOW_DAYS later. The first line naming a paid
 * claim is compared with its payout; a later line naming it again is a duplicate; a line naming no
 * payout is missing in the ledger, and a payout no line names is missing in the statement.
 */
export function reconcile<P extends Payout>(receipts: readonly Receipt[], payouts: readonly P[]): Reconciled<P> {
  const byClaim = new Map(payouts.map((p) => [p.claimId.toLowerCase(), p]));
  const named = new Set<P>();
  const lines = receipts.map((r) => {
    const payout = byClaim.get(r.reference.toLowerCase());
    if (!payout) return { outcome: 'missing_in_ledger' as const, payout };
    if (named.has(payout)) return { outcome: 'duplicated' as const, payout };
    named.add(payout);
    if (!toMoney(r.amount).equals(toMoney(payout.amount))) return { outcome: 'amount_differs' as const, payout };
    const late = daysBetween(payout.postedOn, r.valueDate);
    if (late < 0 || late > RECEIPT_WINDOW_DAYS) return { outcome: 'date_differs' as const, payout };
    return { outcome: 'matched' as const, payout };
  });
  const missingInStatement = payouts
    .filter((p) => !named.has(p))
    .sort((a, b) => daysBetween(b.postedOn, a.postedOn) || a.entryId - b.entryId);
  return { lines, missingInStatement };
}
