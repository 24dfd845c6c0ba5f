import type { Knex } from 'knex';

/**
 * The application connects as a role with row privileges only (db/app-role.ts). Closing a quarter
 * must still wait for postings in flight and hold new ones off until it commits, which the periods
 * guard does with LOCK TABLE ledger_entries IN SHARE MODE — a lock PostgreSQL grants only to a role
 * that may UPDATE, DELETE or TRUNCATE the table, which the application may not. So the guard runs
 * as its owner (SECURITY DEFINER), with a fixed search_path so that nothing the caller puts on its
 * own path is ever run with the owner's rights.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter function accounting_periods_guard() security definer set search_path = pg_catalog, public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter function accounting_periods_guard() security invoker reset search_path`);
}
