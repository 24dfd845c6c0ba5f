-- The ledger is append-only: UPDATE, DELETE and TRUNCATE are refused (a correction is a reversal entry).

create or replace function public.ledger_refuse_change() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform ledger_fail('LF006', format('%s is append-only: %s refused (a correction is a reversal entry)', tg_table_name, lower(tg_op)), '{}');
end $$;

-- The tables it guards: append-only ones refuse UPDATE and DELETE; those and others refuse TRUNCATE.
do $$
declare t text;
begin
  foreach t in array array['ledger_accounts', 'ledger_chart', 'ledger_entries', 'ledger_lines', 'ledger_seals'] loop
    execute format('create or replace trigger %I before update or delete on public.%I for each row execute function public.ledger_refuse_change()', t || '_append_only', t);
  end loop;
  foreach t in array array['accounting_periods', 'funds', 'ledger_accounts', 'ledger_balances', 'ledger_chart', 'ledger_entries', 'ledger_lines', 'ledger_seals'] loop
    execute format('create or replace trigger %I before truncate on public.%I for each statement execute function public.ledger_refuse_change()', t || '_no_truncate', t);
  end loop;
end $$;
