import type { Knex } from 'knex';

/**
 * A special fund belongs to a programme as well as a bureau and a year (docs/programmes.md): the
 * interest subsidy (every fund so far), the training subsidy and the incubator rewards. The
 * database refuses a second fund for the same bureau, programme and year.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table public.funds add column programme text not null default 'interest_subsidy';
    alter table public.funds alter column programme drop default;
    alter table public.funds add constraint funds_programme_check
      check (programme in ('interest_subsidy', 'training_subsidy', 'incubator_rewards'));
    alter table public.funds drop constraint funds_finance_bureau_org_id_year_key;
    alter table public.funds add constraint funds_bureau_programme_year_key unique (finance_bureau_org_id, programme, year);
    comment on column public.funds.programme is 'interest_subsidy, training_subsidy or incubator_rewards; fixed once created';
  `);
}

/** Fails when a bureau has two funds in one year (two programmes): nothing is deleted to go back. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table public.funds drop constraint funds_bureau_programme_year_key;
    alter table public.funds add constraint funds_finance_bureau_org_id_year_key unique (finance_bureau_org_id, year);
    alter table public.funds drop constraint funds_programme_check;
    alter table public.funds drop column programme;
  `);
}
