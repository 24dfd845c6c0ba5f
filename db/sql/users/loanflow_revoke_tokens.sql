-- A signed-in user's logout: bumps their token version, with its audit row.

create or replace function public.loanflow_revoke_tokens(p_user uuid, p_request_id text, p_client_request_id text) returns integer
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_user public.users%rowtype;
begin
  perform pg_catalog.set_config('loanflow.user_writer', 'admin', true);
  update public.users u set token_version = u.token_version + 1 where u.id = p_user returning * into v_user;
  perform pg_catalog.set_config('loanflow.user_writer', '', true);
  if not found then
    raise exception 'user % not found', p_user using errcode = 'LU003';
  end if;
  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id,
                                request_id, client_request_id, payload)
  values (v_user.id, v_user.username, v_user.role, v_user.org_id, 'user.logout', 'user', v_user.id::text,
          p_request_id, p_client_request_id, pg_catalog.jsonb_build_object('tokenVersion', v_user.token_version));
  return v_user.token_version;
end $$;
