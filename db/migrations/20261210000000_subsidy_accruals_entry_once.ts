import type { Knex } from 'knex';

/**
 * An accrual's ledger entry backs that accrual only: subsidy_accruals_guard checks the entry is
 * the period's own, and this key keeps two accruals racing from naming one entry (docs/security.md).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table public.subsidy_accruals add constraint subsidy_accruals_ledger_entry_id_key unique (ledger_entry_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table public.subsidy_accruals drop constraint subsidy_accruals_ledger_entry_id_key`);
}
