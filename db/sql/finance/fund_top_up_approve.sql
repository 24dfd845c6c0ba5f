-- A top-up is approved only here, and the money moves with the approval: in one call, as the
-- schema's owner, it checks the proposal (pending, a top-up), the decider (an active finance
-- approver of the fund's bureau, not the proposer) and the bound on the fund's budget, allocates
-- through fund_allocate (keyed fund-top-up:<proposal>, so a retry allocates once), records the
-- decision and writes the audit row. The application's role cannot post a fund's budget any other
-- way (ledger_post_batch refuses it) nor approve a top-up any other way (finance_proposals_guard).
-- Who decides is the caller's word: the API passes the signed-in user (docs/security.md).
-- A fund's year, once ended, is closed: its budget grows no more (docs/programmes.md "Funds and
-- their years"), judged by the later of the posting date and today's business date (China
-- Standard Time, as period_close), so a caller's date cannot reopen it.
-- SQLSTATEs: P0002 no such top-up, 55000 decided already, 42501 not this decider, FN003 the budget
-- would pass its bound (detail: budget, max), FN004 the fund's year has ended.

create or replace function public.fund_top_up_approve(p_proposal uuid, p_decider uuid, p_posted_on date, p_reason text, p_request_id text, p_client_request_id text) returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  -- A fund's budget at most: domain/money.ts MAX_BUDGET_AMOUNT, far inside what a balance holds
  -- (test/security/maker-checker.test.ts approves up to it exactly and refuses a cent more).
  c_max constant numeric := 1000000000000.00;
  p public.finance_proposals;
  u public.users;
  v_bureau uuid;
  v_year integer;
  v_budget numeric;
  v_entry bigint;
begin
  p := public.finance_proposal_to_decide(p_proposal, 'fund_top_up', 'top-up', p_decider);
  u := public.finance_approver(p_decider, 'approving a top-up');
  -- The fund's row, locked: approvals of one fund take turns, so the bound holds exactly.
  select f.finance_bureau_org_id, f.year into v_bureau, v_year from public.funds f where f.id = p.fund_id for update;
  if v_bureau is distinct from u.org_id then
    raise exception 'a top-up is approved by the fund''s own bureau' using errcode = 'insufficient_privilege';
  end if;
  if greatest(p_posted_on, (now() at time zone 'UTC' + interval '8 hours')::date) > make_date(v_year, 12, 31) then
    raise exception using errcode = 'FN004', message = format('the fund''s year %s has ended; its budget no longer grows', v_year);
  end if;
  select s.budget into v_budget from public.ledger_fund_status(p.fund_id) s;
  if v_budget + p.amount > c_max then
    raise exception using errcode = 'FN003', message = format('the fund''s budget would pass %s', c_max),
      detail = jsonb_build_object('budget', v_budget::text, 'max', c_max::text)::text;
  end if;

  select r.posted_id into v_entry
    from public.fund_allocate(p.fund_id, p.amount, p_posted_on, 'fund-top-up:' || p.id::text,
                              left('Top-up: ' || p.reason, 1000), jsonb_build_object('proposalId', p.id)) r;
  update public.finance_proposals
     set status = 'approved', decided_by = u.id, decided_role = u.role, decision_reason = nullif(btrim(p_reason), ''), ledger_entry_id = v_entry
   where id = p.id;
  insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id, reason, request_id, client_request_id, payload)
  values (u.id, u.username, u.role, u.org_id, 'fund.top_up', 'fund', p.fund_id::text, p.reason, p_request_id, p_client_request_id,
          jsonb_build_object('proposalId', p.id, 'amount', p.amount::text, 'ledgerEntryId', v_entry, 'proposedBy', p.proposed_by,
                             'decisionReason', nullif(btrim(p_reason), '')));
  return v_entry;
end $$;
