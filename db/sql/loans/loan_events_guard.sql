-- A loan's extension event opens the re-planning of its periods (loan_periods_guard), so one is
-- recorded only for a loan being repaid and not extended yet, and only once (docs/security.md).
-- A retried step's insert of an event already there is let through: its idempotency key answers it
-- (ON CONFLICT DO NOTHING, db/repositories/once.ts).

create or replace function public.loan_events_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if not exists (select 1 from public.loan_events e where e.idempotency_key = new.idempotency_key)
     and (not exists (select 1 from public.loans l where l.id = new.loan_id and l.status = 'REPAYING' and l.extended_months = 0)
          or exists (select 1 from public.loan_events e where e.loan_id = new.loan_id and e.step = 'extension')) then
    raise exception 'loan_events %: step: an extension is recorded once, for a loan being repaid and not extended yet', new.loan_id
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger loan_events_guard before insert on public.loan_events
  for each row when (new.step = 'extension') execute function public.loan_events_guard();
