-- An event row says when the database recorded it: `at` is the transaction's time, whatever the
-- writer passed, so no one backdates an audit row, a period's close or reopening, a loan event or a saved scenario.
-- application_history is left out on purpose: its `at` is the workflow's time of the decision,
-- which a retried activity passes again and the deadlines and reports read (docs/security.md).
-- The trigger's argument names the column when it is not `at` (follow-up visits: `recorded_at`).

create or replace function public.loanflow_recorded_at() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  return pg_catalog.jsonb_populate_record(new, pg_catalog.jsonb_build_object(coalesce(tg_argv[0], 'at'), pg_catalog.now()));
end $$;

do $$
declare t text;
begin
  foreach t in array array['accounting_period_events', 'audit_log', 'forecast_scenarios', 'loan_events'] loop
    execute format('create or replace trigger %I before insert on public.%I for each row execute function public.loanflow_recorded_at()', t || '_recorded_at', t);
  end loop;
end $$;

-- A recorded follow-up visit (docs/programmes.md) is a fact, dated by the database.
create or replace trigger follow_up_visits_recorded_at before insert on public.follow_up_visits
  for each row execute function public.loanflow_recorded_at('recorded_at');
