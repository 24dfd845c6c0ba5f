import type { Knex } from 'knex';

/**
 * A payout entry pays one subsidy claim. Without this, the application's role could insert a PAID
 * claim naming another claim's payout; a reconciliation's reversal of that payout then marks both
 * PAYOUT_REVERSED and the approver's "pay again" pays each (docs/security.md).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create unique index subsidy_claims_payout_once on public.subsidy_claims (payout_entry_id) where payout_entry_id is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index public.subsidy_claims_payout_once`);
}
