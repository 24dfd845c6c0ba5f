-- The admin path: an active admin changes a user's role, organisation or active flag, as the
-- schema's owner, and the audit row is written in the same call. Users refuse any UPDATE unless
-- this function or loanflow_revoke_tokens is running (users_admin_path). Deactivating bumps the
-- user's token version, so tokens issued before stay dead even after a reactivation. Refuses to
-- leave no active admin.
-- SQLSTATEs: LU001 last active admin, LU002 the actor is no active admin, LU003 no such user,
-- LU004 an applicant's role cannot change (nor can anyone become an applicant).

create or replace function public.loanflow_change_user(p_admin uuid, p_user uuid, p_role text, p_set_org boolean, p_org_id uuid, p_active boolean, p_request_id text, p_client_request_id text) returns setof public.users
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_admin public.users%rowtype;
  v_old public.users%rowtype;
  v_new public.users%rowtype;
  v_role text;
  v_org uuid;
  v_active boolean;
begin
  -- One change at a time through this path: "is another admin left?" holds until commit.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('loanflow.users.admin_path'));
  select * into v_admin from public.users u where u.id = p_admin;
  if not found or v_admin.role <> 'admin' or not v_admin.active then
    raise exception 'only an active admin may change an account' using errcode = 'LU002';
  end if;
  select * into v_old from public.users u where u.id = p_user for update;
  if not found then
    raise exception 'user % not found', p_user using errcode = 'LU003';
  end if;
  v_role := coalesce(p_role, v_old.role);
  v_org := case when p_set_org then p_org_id else v_old.org_id end;
  v_active := coalesce(p_active, v_old.active);
  if (v_old.role = 'applicant') <> (v_role = 'applicant') then
    raise exception 'an applicant keeps the applicant role, and no officer becomes one' using errcode = 'LU004';
  end if;
  if v_old.role = 'admin' and v_old.active and (v_role <> 'admin' or not v_active)
     and not exists (select 1 from public.users o where o.role = 'admin' and o.active and o.id <> v_old.id) then
    raise exception 'user % is the last active admin: make another admin first', v_old.username using errcode = 'LU001';
  end if;

  perform pg_catalog.set_config('loanflow.user_writer', 'admin', true);
  update public.users u
     set role = v_role, org_id = v_org, active = v_active,
         token_version = u.token_version + (case when v_old.active and not v_active then 1 else 0 end)
   where u.id = v_old.id
  returning * into v_new;
  perform pg_catalog.set_config('loanflow.user_writer', '', true);

  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id,
                                request_id, client_request_id, payload)
  values (v_admin.id, v_admin.username, v_admin.role, v_admin.org_id, 'user.change', 'user', v_old.id::text,
          p_request_id, p_client_request_id,
          pg_catalog.jsonb_build_object(
            'from', pg_catalog.jsonb_build_object('role', v_old.role, 'orgId', v_old.org_id, 'active', v_old.active),
            'to', pg_catalog.jsonb_build_object('role', v_new.role, 'orgId', v_new.org_id, 'active', v_new.active),
            'tokensRevoked', v_new.token_version <> v_old.token_version));
  return next v_new;
end $$;
