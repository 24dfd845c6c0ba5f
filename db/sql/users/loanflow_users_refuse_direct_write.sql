-- Users change only through the admin path (loanflow_change_user, loanflow_revoke_tokens).

create or replace function public.loanflow_users_refuse_direct_write() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  raise exception '% on users is refused: accounts change through the admin path only (loanflow_change_user, loanflow_revoke_tokens)', tg_op
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger users_admin_path before update on public.users for each statement when (current_setting('loanflow.user_writer', true) is distinct from 'admin') execute function public.loanflow_users_refuse_direct_write();
