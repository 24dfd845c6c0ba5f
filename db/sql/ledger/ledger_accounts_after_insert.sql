-- Every account has its balance row from the start.

create or replace function public.ledger_accounts_after_insert() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  insert into public.ledger_balances (account_id, normal_side, allow_negative) values (new.id, new.normal_side, new.allow_negative);
  return null;
end $$;

create or replace trigger ledger_accounts_after_insert after insert on public.ledger_accounts for each row execute function public.ledger_accounts_after_insert();
