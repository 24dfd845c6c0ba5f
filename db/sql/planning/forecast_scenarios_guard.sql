-- Saved forecast scenarios are records of what someone saved, and when: the row is dated by the
-- database whatever the writer passed, and never changes (append-only, by the guards' own
-- loanflow_refuse_change of db/sql/guards, applied before this folder).

create or replace function public.forecast_scenarios_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  new.at := pg_catalog.now();
  return new;
end $$;

create or replace trigger forecast_scenarios_recorded_at before insert on public.forecast_scenarios
  for each row execute function public.forecast_scenarios_guard();
create or replace trigger forecast_scenarios_append_only before update or delete on public.forecast_scenarios
  for each row execute function public.loanflow_refuse_change();
create or replace trigger forecast_scenarios_no_truncate before truncate on public.forecast_scenarios
  for each statement execute function public.loanflow_refuse_change();
