import type { Knex } from 'knex';

/**
 * The labour bureau and its officer, who checks a training claim against the certificate registry
 * (docs/programmes.md). Each training claim names the role that checks it: the labour officer for
 * claims filed from now on, the finance officer for those filed before, whose workflows keep the
 * check they started with. The guard that holds the checker and the approver to their roles is
 * db/sql/programmes/training_claims_deciders.sql.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table public.organisations drop constraint organisations_type_check;
    alter table public.organisations add constraint organisations_type_check
      check (type in ('training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau', 'labour_bureau'));
    alter table public.users drop constraint users_role_check;
    alter table public.users add constraint users_role_check
      check (role in ('applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer',
                      'finance_officer', 'finance_approver', 'labour_officer', 'auditor', 'admin'));
    alter table public.training_claims add column checker_role text;
    update public.training_claims set checker_role = 'finance_officer';
    alter table public.training_claims alter column checker_role set not null;
    alter table public.training_claims add constraint training_claims_checker_role_check check (checker_role in ('labour_officer', 'finance_officer'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table public.training_claims drop column checker_role;
    alter table public.users drop constraint users_role_check;
    alter table public.users add constraint users_role_check
      check (role in ('applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer',
                      'finance_officer', 'finance_approver', 'auditor', 'admin'));
    alter table public.organisations drop constraint organisations_type_check;
    alter table public.organisations add constraint organisations_type_check
      check (type in ('training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau'));
  `);
}
