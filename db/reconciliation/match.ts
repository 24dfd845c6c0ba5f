import type { Knex } from 'knex';
import { payoutsSql } from './payouts';

/**
 * A receipt matches a payout when its reference is the payout's claim id (case aside), its amount
 * is the payout's to the fen, and the bank booked it on the payout's day or within this many days
 * after (transfers over a weekend or a public holiday such as the October week arrive later).
 */
export const RECEIPT_WINDOW_DAYS = 7;

export const OUTCOMES = ['matched', 'missing_in_ledger', 'missing_in_statement', 'amount_differs', 'date_differs', 'duplicated'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type MismatchKind = Exclude<Outcome, 'matched'>;

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

const UUID_RE = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/**
 * Matches the staged statement (temp table `statement_stage`) against the bank's payouts of the
 * quarter, set-based in three statements, so the cost grows with the file like a sort does:
 *
 * 1. lines → statement_lines with their outcome. Lines sharing a reference are ranked: the one
 *    that matches best (amount and date, then amount, then the earliest line) is the reference's
 *    line and is classified against the payout; every other line of it is `duplicated`.
 * 2. mismatches → reconciliation_items, plus a `missing_in_statement` item per payout no line
 *    names; a line naming a payout outside this reconciliation (another quarter or bank, reversed,
 *    unpaid) gets a note saying so.
 * 3. the counts.
 */
export async function matchStatement(trx: Knex.Transaction, reconciliationId: string, bankId: string, from: string, to: string): Promise<MatchCounts> {
  const payouts = payoutsSql({ bankId, from, to });
  await trx.raw(`create temp table recon_payouts on commit drop as ${payouts.sql}`, payouts.bindings);
  await trx.raw('create index on recon_payouts ((claim_id::text))');
  await trx.raw('analyze recon_payouts');
  await trx.raw('analyze statement_stage');

  const { rows: lineRows } = await trx.raw(
    `with ranked as (
       select s.line_no, s.value_date, s.reference, s.amount, s.description, p.entry_id, p.amount as p_amount, p.posted_on,
              row_number() over (partition by lower(s.reference)
                                 order by (p.amount = s.amount and s.value_date - p.posted_on between 0 and ?) desc,
                                          (p.amount = s.amount) desc, s.line_no) as rnk
         from statement_stage s left join recon_payouts p on p.claim_id::text = lower(s.reference)
     ), ins as (
       insert into statement_lines (reconciliation_id, line_no, value_date, reference, amount, description, outcome, payout_entry_id)
       select ?::uuid, line_no, value_date, reference, amount, description,
              case when rnk > 1 then 'duplicated'
                   when entry_id is null then 'missing_in_ledger'
                   when amount <> p_amount then 'amount_differs'
                   when value_date - posted_on not between 0 and ? then 'date_differs'
                   else 'matched' end,
              entry_id
         from ranked
       returning outcome, amount
     )
     select count(*)::integer as line_count, coalesce(sum(amount), 0)::text as statement_total,
            (count(*) filter (where outcome = 'matched'))::integer as matched
       from ins`,
    [RECEIPT_WINDOW_DAYS, reconciliationId, RECEIPT_WINDOW_DAYS],
  );

  await trx.raw(
    `insert into reconciliation_items (reconciliation_id, item_no, kind, line_no, payout_entry_id, claim_id, note)
     select ?::uuid, row_number() over (order by x.line_no nulls last, x.posted_on, x.entry_id), x.kind, x.line_no, x.entry_id, x.claim_id, x.note
       from (
         select l.outcome as kind, l.line_no, l.payout_entry_id as entry_id, null::date as posted_on,
                coalesce(p.claim_id, c.id) as claim_id,
                case
                  when l.outcome <> 'missing_in_ledger' or c.id is null then null
                  when c.bank_id <> ?::uuid then format('claim %s belongs to another bank', c.id)
                  when c.payout_entry_id is null then format('claim %s is not paid (status %s)', c.id, c.status)
                  when rev.id is not null then format('the payout of claim %s (entry %s) was reversed by entry %s', c.id, c.payout_entry_id, rev.id)
                  else format('claim %s was paid on %s (entry %s), outside this quarter', c.id, pe.posted_on, c.payout_entry_id)
                end as note
           from statement_lines l
           left join recon_payouts p on p.entry_id = l.payout_entry_id
           left join subsidy_claims c on l.outcome = 'missing_in_ledger' and c.id = (case when l.reference ~ ${UUID_RE} then l.reference::uuid end)
           left join ledger_entries pe on pe.id = c.payout_entry_id
           left join ledger_entries rev on rev.reverses_entry_id = c.payout_entry_id
          where l.reconciliation_id = ?::uuid and l.outcome <> 'matched'
         union all
         select 'missing_in_statement', null, p.entry_id, p.posted_on, p.claim_id, null
           from recon_payouts p
          where not exists (select 1 from statement_stage s where lower(s.reference) = p.claim_id::text)
       ) x`,
    [reconciliationId, bankId, reconciliationId],
  );

  const { rows: itemRows } = await trx.raw(
    `select kind, count(*)::integer as n from reconciliation_items where reconciliation_id = ?::uuid group by kind`,
    [reconciliationId],
  );
  const { rows: payoutRows } = await trx.raw(`select count(*)::integer as n, coalesce(sum(amount), 0)::text as total from recon_payouts`);
  const n = (k: MismatchKind) => Number(itemRows.find((r: { kind: string }) => r.kind === k)?.n ?? 0);
  const l = lineRows[0];
  return {
    lineCount: l.line_count,
    statementTotal: l.statement_total,
    payoutCount: payoutRows[0].n,
    payoutTotal: payoutRows[0].total,
    matched: l.matched,
    missingInLedger: n('missing_in_ledger'),
    missingInStatement: n('missing_in_statement'),
    amountDiffers: n('amount_differs'),
    dateDiffers: n('date_differs'),
    duplicated: n('duplicated'),
  };
}
