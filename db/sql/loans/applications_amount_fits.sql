-- Whether a guarantee amount may be recommended or approved for an application: at most what was
-- applied for, within its policy's guarantee band (domain/eligibility.ts checkApprovedAmount, the
-- rule the workflow's validators apply). applications_guard checks it.

create or replace function public.applications_amount_fits(amount numeric, requested numeric, policy_id uuid) returns boolean
language sql stable set search_path = pg_catalog, public, pg_temp as $$
  select $1 <= $2 and exists (
    select 1 from public.policies p
     where p.id = $3 and $1 between (p.params ->> 'guaranteeMin')::numeric and (p.params ->> 'guaranteeMax')::numeric)
$$;
