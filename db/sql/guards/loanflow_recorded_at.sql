-- An event row says when the database recorded it: `at` is the transaction's time, whatever the
-- writer passed, so no one backdates an audit row, a period's close or reopening, or a loan event.
-- application_history is left out on purpose: its `at` is the workflow's time of the decision,
-- which a retried activity passes again and the deadlines and reports read (docs/security.md).

create or replace function public.loanflow_recorded_at() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  new.at := pg_catalog.now();
  return new;
end $$;

do $$
declare t text;
begin
  foreach t in array array['accounting_period_events', 'audit_log', 'loan_events'] loop
    execute format('create or replace trigger %I before insert on public.%I for each row execute function public.loanflow_recorded_at()', t || '_recorded_at', t);
  end loop;
end $$;
