-- A table whose rows change only through the schema's own functions: they open the guard with a
-- transaction-local setting (the WHEN condition); the application's role has no privilege for the
-- guarded operations (db/app-role.ts reads these triggers), so setting it gains the role nothing.
-- tg_argv[1] names the functions that may write.

create or replace function public.loanflow_refuse_direct_write() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  raise exception '% on % refused: it changes only through %', tg_op, tg_table_name, tg_argv[1]
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger accounting_periods_direct_write before insert or delete or update on public.accounting_periods for each statement when (current_setting('loanflow.period_writer', true) is distinct from 'on') execute function public.loanflow_refuse_direct_write('loanflow.period_writer', 'period_close() and period_reopen()');
create or replace trigger accounting_period_events_direct_write before insert on public.accounting_period_events for each statement when (current_setting('loanflow.period_writer', true) is distinct from 'on') execute function public.loanflow_refuse_direct_write('loanflow.period_writer', 'period_close() and period_reopen()');
create or replace trigger idempotency_keys_direct_delete before delete on public.idempotency_keys for each statement when (current_setting('loanflow.key_writer', true) is distinct from 'on') execute function public.loanflow_refuse_direct_write('loanflow.key_writer', 'idempotency_key_release() and idempotency_keys_purge()');
