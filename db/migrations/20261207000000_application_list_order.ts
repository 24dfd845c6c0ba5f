import type { Knex } from 'knex';

/**
 * The applications list (GET /v1/applications, db/repositories/applications.ts) shows the newest
 * first: an index in that order for whoever sees everything, and one per organisation or
 * applicant scope, so a page is read from the index rather than by sorting every visible row
 * (docs/api.md, "Performance").
 */
const INDEXES: Array<[name: string, columns: string]> = [
  ['applications_newest_index', 'created_at desc, id'],
  ['applications_applicant_newest_index', 'applicant_user_id, created_at desc, id'],
  ['applications_community_newest_index', 'community_id, created_at desc, id'],
  ['applications_guarantee_company_newest_index', 'guarantee_company_id, created_at desc, id'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, columns] of INDEXES) await knex.raw(`create index ${name} on public.applications (${columns})`);
  // The new order index covers what the applicant's single-column index did.
  await knex.raw('drop index public.applications_applicant_user_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index applications_applicant_user_id_index on public.applications (applicant_user_id)');
  for (const [name] of INDEXES) await knex.raw(`drop index public.${name}`);
}
