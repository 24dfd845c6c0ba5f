import type { Knex } from 'knex';

/**
 * Saved what-if scenarios of the budget forecast (docs/forecast.md): who saved which parameters,
 * under which name, when. A saved scenario never changes (db/sql/guards makes the table append-only
 * and dates each row itself), so a comparison made later reads what was saved.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table public.forecast_scenarios (
      id uuid not null default gen_random_uuid(),
      name text not null,
      params jsonb not null,
      scope text not null,
      saved_by uuid not null,
      at timestamptz not null default now(),
      constraint forecast_scenarios_pkey primary key (id),
      constraint forecast_scenarios_name_key unique (name),
      constraint forecast_scenarios_saved_by_fkey foreign key (saved_by) references public.users (id),
      constraint forecast_scenarios_name_check check (length(btrim(name)) between 1 and 200 and name !~ '[[:cntrl:]]'),
      constraint forecast_scenarios_params_check check (jsonb_typeof(params) = 'object' and octet_length(params::text) <= 4000),
      constraint forecast_scenarios_scope_check check (scope in ('new_loans_only', 'reprice_open_loans'))
    );
    create index forecast_scenarios_at on public.forecast_scenarios (at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists public.forecast_scenarios');
}
