-- A quarter reopens only here, on a pending proposal, decided by another finance approver than the
-- one who proposed, with the period's event and the audit row.

create or replace function public.period_reopen(p_proposal uuid, p_decider uuid, p_reason text, p_request_id text) returns text
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  p record;
  u record;
begin
  select x.* into p from public.finance_proposals x where x.id = p_proposal and x.kind = 'period_reopen' for update;
  if not found then
    raise exception 'reopening request % does not exist', p_proposal using errcode = 'no_data_found';
  end if;
  if p.status <> 'pending' then
    raise exception 'reopening request % was % already', p_proposal, p.status using errcode = 'object_not_in_prerequisite_state';
  end if;
  select x.id, x.username, x.role, x.org_id into u from public.users x where x.id = p_decider and x.active;
  if not found or u.role <> 'finance_approver' then
    raise exception 'reopening a quarter needs an active finance approver' using errcode = 'insufficient_privilege';
  end if;
  if p_decider = p.proposed_by then
    raise exception 'the approver must be another person than the one who asked to reopen (maker-checker)' using errcode = 'insufficient_privilege';
  end if;
  perform 1 from public.accounting_periods x where x.quarter = p.quarter and x.status = 'closed' for update;
  if not found then
    raise exception '% is not closed', p.quarter using errcode = 'object_not_in_prerequisite_state';
  end if;
  perform set_config('loanflow.period_writer', 'on', true);
  update public.accounting_periods set status = 'open', closed_at = null, closed_by = null where quarter = p.quarter;
  update public.finance_proposals
     set status = 'approved', decided_by = u.id, decided_role = u.role, decision_reason = nullif(btrim(p_reason), '')
   where id = p.id;
  insert into public.accounting_period_events (quarter, action, reason, by_user_id, by_role, request_id, proposal_id)
    values (p.quarter, 'reopen', p.reason, u.id, u.role, p_request_id, p.id);
  perform set_config('loanflow.period_writer', '', true);
  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id, reason, request_id, payload)
    values (u.id, u.username, u.role, u.org_id, 'period.reopen', 'accounting_period', p.quarter, p.reason, p_request_id,
            jsonb_build_object('proposalId', p.id, 'proposedBy', p.proposed_by, 'decisionReason', nullif(btrim(p_reason), '')));
  return p.quarter;
end $$;
