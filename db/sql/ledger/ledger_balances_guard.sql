-- Balances change only through the posting function (ledger_refuse_direct_write guards inserts and
-- updates); a balance row is never deleted.

create or replace function public.ledger_balances_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform ledger_fail('LF006', format('ledger_balances is maintained by the ledger itself: direct %s refused', lower(tg_op)), '{}');
end $$;

create or replace trigger ledger_balances_no_delete before delete on public.ledger_balances for each row execute function public.ledger_balances_guard();
