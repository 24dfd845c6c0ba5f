-- Whether a user may decide a claim's finance step (check or approve a subsidy or incubator claim):
-- an active account of that role in a finance bureau, of the given bureau when one is named (the
-- bureau whose fund pays). The claim tables' deciders triggers call it as the application writes.

create or replace function public.finance_decider(p_user uuid, p_role text, p_bureau uuid default null) returns boolean
language sql stable set search_path = pg_catalog, public, pg_temp as $$
  select exists (
    select 1 from public.users u join public.organisations o on o.id = u.org_id
     where u.id = p_user and u.active and u.role = p_role and o.type = 'finance_bureau'
       and (p_bureau is null or o.id = p_bureau))
$$;
