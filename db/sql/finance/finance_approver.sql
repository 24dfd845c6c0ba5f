-- The one check of who may decide a finance step (close, reopen, approve a top-up): an active
-- finance approver. Called inside the deciding functions, which run as the owner; the application's
-- role may not call it (db/app-role.ts OWNER_ONLY_EXECUTE).

create or replace function public.finance_approver(p_user uuid, p_what text) returns public.users
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  u public.users;
begin
  select x.* into u from public.users x where x.id = p_user and x.active;
  if not found or u.role <> 'finance_approver' then
    raise exception '% needs an active finance approver', p_what using errcode = 'insufficient_privilege';
  end if;
  return u;
end $$;
