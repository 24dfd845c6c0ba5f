-- The ledger's tables take rows from the posting function only, and the seals from the sealing
-- function only: these statement triggers refuse a write unless ledger_post_entries has set
-- loanflow.ledger_writer to 'post' (or ledger_seal to 'seal'). The application's role lacks the
-- INSERT privilege besides (db/app-role.ts reads these triggers), so setting the flag gains it
-- nothing. tg_argv[0], when given, names the function that writes.

create or replace function public.ledger_refuse_direct_write() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform ledger_fail('LF006', format('%s is written only by %s: direct %s refused', tg_table_name, coalesce(tg_argv[0], 'posting (ledger_post_batch)'), lower(tg_op)), '{}');
end $$;

create or replace trigger ledger_accounts_direct_write before insert on public.ledger_accounts for each statement when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function public.ledger_refuse_direct_write();
create or replace trigger ledger_balances_direct_write before insert or update on public.ledger_balances for each statement when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function public.ledger_refuse_direct_write();
create or replace trigger ledger_entries_direct_write before insert on public.ledger_entries for each statement when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function public.ledger_refuse_direct_write();
create or replace trigger ledger_lines_direct_write before insert on public.ledger_lines for each statement when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function public.ledger_refuse_direct_write();
create or replace trigger ledger_seals_direct_write before insert on public.ledger_seals for each statement when (current_setting('loanflow.ledger_writer', true) is distinct from 'seal') execute function public.ledger_refuse_direct_write('sealing (ledger_seal)');
