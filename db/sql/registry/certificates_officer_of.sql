-- Whether a user is an active training officer of the institution: who may register and revoke its
-- certificates (usecases/registry.ts acts for them; certificates_guard checks it).

create or replace function public.certificates_officer_of(officer uuid, institution uuid) returns boolean
language sql stable set search_path = pg_catalog, public, pg_temp as $$
  select exists (select 1 from public.users u
                  where u.id = $1 and u.role = 'training_officer' and u.active and u.org_id = $2)
$$;
