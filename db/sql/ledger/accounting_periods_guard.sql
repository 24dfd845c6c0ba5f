-- Periods: closing waits for the postings in flight, then blocks new ones until the close commits,
-- so no entry can slip into a quarter between the check and the close. Rows are never deleted.

create or replace function public.accounting_periods_guard() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'DELETE' then
    perform ledger_fail('LF006', 'accounting_periods: delete refused (reopen a quarter instead)', '{}');
  end if;
  if tg_op = 'UPDATE' and new.quarter <> old.quarter then
    perform ledger_fail('LF006', 'accounting_periods: the quarter of a row cannot change', '{}');
  end if;
  if new.status = 'closed' and (tg_op = 'INSERT' or old.status <> 'closed') then
    lock table public.ledger_entries in share mode;
  end if;
  new.updated_at := now();
  return new;
end $$;

create or replace trigger accounting_periods_guard before insert or delete or update on public.accounting_periods for each row execute function public.accounting_periods_guard();
