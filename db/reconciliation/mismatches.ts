import type { Knex } from 'knex';

const UUID_RE = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/**
 * Mismatches from the staged items (table `reconciliation_item_stage`, as many rows as there are
 * mismatches) into reconciliation_items, numbered in statement order with the payouts missing from
 * the statement last. A line naming a claim outside this reconciliation (another bank or quarter,
 * a reversed or unpaid claim) gets a note saying so. The claim and entries are looked up per staged
 * row (LATERAL, by primary key or unique index): the staged rows never have statistics, and a plan
 * guessed without them once joined a few mismatches to a million claims by scanning them all.
 */
export async function storeMismatches(trx: Knex.Transaction, reconciliationId: string, bankId: string): Promise<void> {
  await trx.raw(
    `insert into reconciliation_items (reconciliation_id, item_no, kind, line_no, payout_entry_id, claim_id, note)
     select s.reconciliation_id, row_number() over (order by s.ord), s.kind, s.line_no, s.entry_id, coalesce(s.claim_id, c.id),
            case
              when s.kind <> 'missing_in_ledger' or c.id is null then null
              when c.bank_id <> ?::uuid then format('claim %s belongs to another bank', c.id)
              when c.payout_entry_id is null then format('claim %s is not paid (status %s)', c.id, c.status)
              when rev.id is not null then format('the payout of claim %s (entry %s) was reversed by entry %s', c.id, c.payout_entry_id, rev.id)
              else format('claim %s was paid on %s (entry %s), outside this quarter', c.id, pe.posted_on, c.payout_entry_id)
            end
       from reconciliation_item_stage s
       left join lateral (
              select c.id, c.bank_id, c.payout_entry_id, c.status from subsidy_claims c
               where s.kind = 'missing_in_ledger' and c.id = (case when s.reference ~ ${UUID_RE} then s.reference::uuid end)) c on true
       left join lateral (select pe.posted_on from ledger_entries pe where pe.id = c.payout_entry_id) pe on true
       left join lateral (select rev.id from ledger_entries rev where rev.reverses_entry_id = c.payout_entry_id) rev on true
      where s.reconciliation_id = ?::uuid`,
    [bankId, reconciliationId],
  );
}
