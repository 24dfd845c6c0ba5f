-- A quarter reopens only here, on a pending proposal, decided by another finance approver than the
-- one who proposed, with the period's event and the audit row.

create or replace function public.period_reopen(p_proposal uuid, p_decider uuid, p_reason text, p_request_id text) returns text
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  p public.finance_proposals;
  u public.users;
begin
  p := public.finance_proposal_to_decide(p_proposal, 'period_reopen', 'reopening request', p_decider);
  u := public.finance_approver(p_decider, 'reopening a quarter');
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
