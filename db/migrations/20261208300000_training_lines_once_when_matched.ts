import type { Knex } from 'knex';

/**
 * A trainee is paid at most once per course type and part: the unique key now holds the live lines
 * that match the certificate registry only. A line that does not match (another institution's
 * certificate, no such certificate, another person) is never paid as filed, so it no longer keeps
 * the institution that trained and certified the person from claiming them, nor tells a stranger
 * whether someone was claimed (docs/programmes.md). A line that comes to match at the officer's
 * check enters the key then.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index public.training_claim_lines_once;
    create unique index training_claim_lines_once on public.training_claim_lines (holder_id_number, course, part) where live and mismatch is null;
  `);
}

/** Fails when two matched live lines were filed under the narrower key; nothing is deleted to go back. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index public.training_claim_lines_once;
    create unique index training_claim_lines_once on public.training_claim_lines (holder_id_number, course, part) where live;
  `);
}
