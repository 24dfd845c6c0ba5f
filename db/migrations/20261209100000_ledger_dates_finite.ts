import type { Knex } from 'knex';

/**
 * A ledger entry's date is a finite day: to_char of 'infinity' is null, which the hash chain's
 * canonical text cannot write as the day it is (docs/ledger.md). The posting function refuses it
 * first (LF003); this holds the table to it too. NOT VALID: rows already stored are not rechecked.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table public.ledger_entries add constraint ledger_entries_posted_on_finite check (isfinite(posted_on)) not valid`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table public.ledger_entries drop constraint ledger_entries_posted_on_finite`);
}
