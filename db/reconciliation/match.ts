import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { daysBetween } from '../../domain/dates';
import { payoutsSql } from './payouts';
import type { StatementLine } from './statement-format';

/**
 * A receipt matches a payout when its reference is the payout's claim id (case aside), its amount
 * is the payout's to the fen, and the bank booked it on the payout's day or within this many days
 * after (transfers over a weekend or a public holiday such as the October week arrive later).
 */
export const RECEIPT_WINDOW_DAYS = 7;

export const OUTCOMES = ['matched', 'missing_in_ledger', 'missing_in_statement', 'amount_differs', 'date_differs', 'duplicated'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type MismatchKind = Exclude<Outcome, 'matched'>;
export type LineOutcome = Exclude<Outcome, 'missing_in_statement'>;

export interface MatchCounts {
  lineCount: number;
  statementTotal: string;
  payoutCount: number;
  payoutTotal: string;
  matched: number;
  missingInLedger: number;
  missingInStatement: number;
  amountDiffers: number;
  dateDiffers: number;
  duplicated: number;
}

/** "500" and "500.5" as "500.00" and "500.50": a validated money string in the form NUMERIC prints. */
function canonicalAmount(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return `${s}.00`;
  return s.length - dot === 2 ? `${s}0` : s;
}

/**
 * The bank's payouts of the quarter, indexed by claim id, as the statement is matched against them
 * line by line while it streams. Its size is the ledger's (payouts of one bank and quarter), never
 * the file's; `seen` marks the payouts a line has named, so a second line naming one is a
 * duplicate and a payout no line named is missing in the statement.
 */
export class PayoutIndex {
  private readonly byClaim = new Map<string, number>();
  readonly claimId: string[] = [];
  readonly entryId: number[] = [];
  readonly amount: string[] = [];
  /** The payout's date as days after `origin` (small integers: no string per payout). */
  readonly day: number[] = [];
  private seen = new Uint8Array(0);
  /** Days after `origin` of the statement's dates: a quarter has at most 92 of them. */
  private readonly dayOf = new Map<string, number>();
  total = '0.00';

  private constructor(private readonly origin: string) {}

  /** Streams the payouts with COPY … TO STDOUT (the fastest way out of Postgres), in the caller's transaction. */
  static async load(trx: Knex.Transaction, conn: PoolClient, where: { bankId: string; from: string; to: string }): Promise<PayoutIndex> {
    const q = payoutsSql(where);
    // COPY takes no parameters: knex inlines the (validated) values with its own quoting.
    const sql = trx.raw(q.sql, q.bindings).toQuery();
    // The anti-join on reversals hashes every payout: keep it in memory rather than spill to disk.
    await trx.raw(`set local work_mem = '256MB'`);
    const index = new PayoutIndex(where.from);
    let rest = '';
    // The total rides along (Postgres sums NUMERIC exactly, in the same pass); only the first row's is read.
    const copy = `COPY (select claim_id, entry_id, posted_on - date '${where.from}', amount, sum(amount) over () from (${sql}) p) TO STDOUT`;
    for await (const chunk of conn.query(copyTo(copy))) {
      const text = rest + (chunk as Buffer).toString('utf8');
      const rows = text.split('\n');
      rest = rows.pop()!;
      for (const row of rows) {
        const [claimId, entryId, day, amount, total] = row.split('\t') as [string, string, string, string, string];
        if (index.claimId.length === 0) index.total = total;
        index.byClaim.set(claimId, index.claimId.length);
        index.claimId.push(claimId);
        index.entryId.push(Number(entryId)); // an id, never money
        index.amount.push(amount);
        index.day.push(Number(day)); // a day count, never money
      }
    }
    index.seen = new Uint8Array(index.claimId.length);
    return index;
  }

  get size(): number {
    return this.claimId.length;
  }

  /**
   * The first line naming a claim is compared with its payout (amount, then date); any later line
   * naming it again is `duplicated`; a line naming no payout of this bank and quarter is
   * `missing_in_ledger`.
   */
  classify(l: StatementLine): { outcome: LineOutcome; payout: number } {
    const i = this.byClaim.get(l.reference.toLowerCase());
    if (i === undefined) return { outcome: 'missing_in_ledger', payout: -1 };
    if (this.seen[i]) return { outcome: 'duplicated', payout: i };
    this.seen[i] = 1;
    if (canonicalAmount(l.amount) !== this.amount[i]) return { outcome: 'amount_differs', payout: i };
    let d = this.dayOf.get(l.valueDate);
    if (d === undefined) this.dayOf.set(l.valueDate, (d = daysBetween(this.origin, l.valueDate)));
    const late = d - this.day[i]!;
    if (late < 0 || late > RECEIPT_WINDOW_DAYS) return { outcome: 'date_differs', payout: i };
    return { outcome: 'matched', payout: i };
  }

  /** Payouts no line named, in payout order (date, then entry). */
  unseen(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.claimId.length; i++) if (!this.seen[i]) out.push(i);
    return out.sort((a, b) => this.day[a]! - this.day[b]! || this.entryId[a]! - this.entryId[b]!);
  }
}

const UUID_RE = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/**
 * Mismatches from the staged items (temp table `item_stage`, as many rows as there are
 * mismatches) into reconciliation_items, numbered in statement order with the payouts missing from
 * the statement last. A line naming a claim outside this reconciliation (another bank or quarter,
 * a reversed or unpaid claim) gets a note saying so.
 */
export async function storeMismatches(trx: Knex.Transaction, reconciliationId: string, bankId: string): Promise<void> {
  await trx.raw(
    `insert into reconciliation_items (reconciliation_id, item_no, kind, line_no, payout_entry_id, claim_id, note)
     select ?::uuid, row_number() over (order by s.ord), s.kind, s.line_no, s.entry_id, coalesce(s.claim_id, c.id),
            case
              when s.kind <> 'missing_in_ledger' or c.id is null then null
              when c.bank_id <> ?::uuid then format('claim %s belongs to another bank', c.id)
              when c.payout_entry_id is null then format('claim %s is not paid (status %s)', c.id, c.status)
              when rev.id is not null then format('the payout of claim %s (entry %s) was reversed by entry %s', c.id, c.payout_entry_id, rev.id)
              else format('claim %s was paid on %s (entry %s), outside this quarter', c.id, pe.posted_on, c.payout_entry_id)
            end
       from item_stage s
       left join subsidy_claims c on s.kind = 'missing_in_ledger' and c.id = (case when s.reference ~ ${UUID_RE} then s.reference::uuid end)
       left join ledger_entries pe on pe.id = c.payout_entry_id
       left join ledger_entries rev on rev.reverses_entry_id = c.payout_entry_id`,
    [reconciliationId, bankId],
  );
}
