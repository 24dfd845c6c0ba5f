-- A quarter closes only here: as the owner, with the period's event and the audit row. The cheap
-- blocker is checked here, so no caller skips it: the quarter has ended (its last day is before
-- today's business date, China Standard Time as in domain/business-day.ts). The reconciliation
-- blockers are the use case's, in the same transaction (usecases/periods.ts closeQuarter).
-- Who closes is the caller's word: the API passes the signed-in user (docs/security.md).

create or replace function public.period_close(p_quarter text, p_actor uuid, p_reason text, p_request_id text) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  u public.users;
  v_end date;
begin
  if p_quarter is null or p_quarter !~ '^[0-9]{4}Q[1-4]$' then
    raise exception 'quarter must look like 2027Q1' using errcode = 'invalid_parameter_value';
  end if;
  v_end := (make_date(substr(p_quarter, 1, 4)::integer, substr(p_quarter, 6, 1)::integer * 3, 1) + interval '1 month' - interval '1 day')::date;
  if v_end >= (now() at time zone 'UTC' + interval '8 hours')::date then
    raise exception '% has not ended (it ends %); a quarter closes after its last day', p_quarter, v_end
      using errcode = 'object_not_in_prerequisite_state';
  end if;
  u := public.finance_approver(p_actor, 'closing a quarter');
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
