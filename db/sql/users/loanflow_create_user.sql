-- The admin path for a new officer or admin account, with its audit row (SQLSTATEs as in
-- loanflow_change_user.sql). Applicants register themselves.

create or replace function public.loanflow_create_user(p_admin uuid, p_username text, p_password_hash text, p_role text, p_org_id uuid, p_name text, p_request_id text, p_client_request_id text) returns setof public.users
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_admin public.users%rowtype;
  v_new public.users%rowtype;
begin
  select * into v_admin from public.users u where u.id = p_admin;
  if not found or v_admin.role <> 'admin' or not v_admin.active then
    raise exception 'only an active admin may create an account' using errcode = 'LU002';
  end if;
  if p_role = 'applicant' then
    raise exception 'applicants register themselves' using errcode = 'LU004';
  end if;
  insert into public.users (username, password_hash, role, org_id, name)
    values (p_username, p_password_hash, p_role, p_org_id, p_name)
    returning * into v_new;
  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id,
                                request_id, client_request_id, payload)
  values (v_admin.id, v_admin.username, v_admin.role, v_admin.org_id, 'user.create', 'user', v_new.id::text,
          p_request_id, p_client_request_id, pg_catalog.jsonb_build_object('role', v_new.role, 'orgId', v_new.org_id));
  return next v_new;
end $$;
