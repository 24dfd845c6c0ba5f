-- A quarter closes only here: as the owner, with the period's event and the audit row.

create or replace function public.period_close(p_quarter text, p_actor uuid, p_reason text, p_request_id text) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  u record;
begin
  select x.id, x.username, x.role, x.org_id into u from public.users x where x.id = p_actor and x.active;
  if not found or u.role <> 'finance_approver' then
    raise exception 'closing a quarter needs an active finance approver' using errcode = 'insufficient_privilege';
  end if;
  perform set_config('loanflow.period_writer', 'on', true);
  insert into public.accounting_periods as p (quarter, status, closed_at, closed_by) values (p_quarter, 'closed', now(), p_actor)
    on conflict (quarter) do update set status = 'closed', closed_at = now(), closed_by = excluded.closed_by
    where p.status <> 'closed';
  if not found then
    raise exception '% is closed already', p_quarter using errcode = 'object_not_in_prerequisite_state';
  end if;
  insert into public.accounting_period_events (quarter, action, reason, by_user_id, by_role, request_id)
    values (p_quarter, 'close', nullif(btrim(p_reason), ''), p_actor, u.role, p_request_id);
  perform set_config('loanflow.period_writer', '', true);
  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id, reason, request_id)
    values (u.id, u.username, u.role, u.org_id, 'period.close', 'accounting_period', p_quarter, nullif(btrim(p_reason), ''), p_request_id);
end $$;
