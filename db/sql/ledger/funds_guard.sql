-- Funds: identity columns fixed, never deleted (their accounts point at them); only the name changes.

create or replace function public.funds_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'UPDATE' and (new.id, new.year, new.finance_bureau_org_id, new.programme) = (old.id, old.year, old.finance_bureau_org_id, old.programme) then
    return new;
  end if;
  perform ledger_fail('LF006', format('funds: %s refused (only the name may change)', lower(tg_op)), '{}');
end $$;

create or replace trigger funds_guard before delete or update on public.funds for each row execute function public.funds_guard();
