-- An officer's or admin's account is created only by the table's owner: inside
-- loanflow_create_user, or a seed the owner runs. The check reads who is running (current_user),
-- which the application's role cannot become, rather than a setting it could set itself.

create or replace function public.users_insert_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.role <> 'applicant'
     and not pg_catalog.pg_has_role(current_user, (select c.relowner from pg_catalog.pg_class c where c.oid = tg_relid), 'USAGE') then
    raise exception 'an account with role % is created through the admin path only (loanflow_create_user)', new.role
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger users_insert_guard before insert on public.users for each row execute function public.users_insert_guard();
