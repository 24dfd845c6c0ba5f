import type { Knex } from 'knex';

/**
 * ledger_fund_outflows refuses a payout while another payout of its claim stands: without an index
 * that check read every entry of the ledger, on every payout (docs/ledger.md).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index ledger_entries_payout_claim on public.ledger_entries ((metadata ->> 'claimId'), kind)
                    where kind in ('fund.payout', 'training.payout', 'incubator.reward')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index public.ledger_entries_payout_claim`);
}
