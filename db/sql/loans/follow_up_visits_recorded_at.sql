-- A recorded follow-up visit (docs/programmes.md) is a fact: append-only like the loan's events,
-- and `recorded_at` is the database's time, whatever the writer passed.

create or replace function public.follow_up_visits_recorded_at() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  new.recorded_at := pg_catalog.now();
  return new;
end $$;

create or replace trigger follow_up_visits_recorded_at before insert on public.follow_up_visits
  for each row execute function public.follow_up_visits_recorded_at();
create or replace trigger follow_up_visits_append_only before update or delete on public.follow_up_visits
  for each row execute function public.loanflow_refuse_change();
create or replace trigger follow_up_visits_no_truncate before truncate on public.follow_up_visits
  for each statement execute function public.loanflow_refuse_change();
