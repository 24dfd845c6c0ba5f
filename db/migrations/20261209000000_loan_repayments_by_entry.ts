import type { Knex } from 'knex';

/**
 * loan_repayments_guard refuses a repayment naming a ledger entry another repayment names: without
 * an index that check read every repayment, on every repayment recorded (docs/security.md).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index loan_repayments_ledger_entry_id on public.loan_repayments (ledger_entry_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index public.loan_repayments_ledger_entry_id`);
}
