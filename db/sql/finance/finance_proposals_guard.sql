-- Maker-checker: a finance officer or approver proposes; a different active finance approver
-- decides, once; an approved top-up names the ledger entry keyed on the proposal, for its amount.
-- An approval is made only by the schema's owner, that is inside fund_top_up_approve or
-- period_reopen (SECURITY DEFINER: they run as the owner), which move the money or open the
-- quarter in the same call. The current user is what the application's role cannot set (a setting
-- it could); the role itself only proposes and rejects.

create or replace function public.finance_proposals_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  u record;
  f record;
begin
  if tg_op = 'DELETE' then
    raise exception 'finance_proposals: a proposal is never deleted (reject it)' using errcode = 'insufficient_privilege';
  end if;
  if tg_op = 'INSERT' then
    -- Inserted pending with none of the decision's columns: a decision is the approver's, later.
    if new.status <> 'pending'
       or pg_catalog.num_nonnulls(new.decided_by, new.decided_role, new.decided_at, new.decision_reason, new.ledger_entry_id) > 0 then
      raise exception 'finance_proposals: a proposal starts pending, nothing decided' using errcode = 'insufficient_privilege';
    end if;
    select x.role, x.org_id into u from public.users x where x.id = new.proposed_by and x.active;
    if not found or u.role not in ('finance_officer', 'finance_approver') or u.role <> new.proposed_role then
      raise exception 'finance_proposals: only an active finance officer or approver proposes' using errcode = 'insufficient_privilege';
    end if;
    if new.kind = 'fund_top_up' then
      select x.finance_bureau_org_id as bureau into f from public.funds x where x.id = new.fund_id;
      if f.bureau is distinct from u.org_id then
        raise exception 'finance_proposals: a top-up is proposed by the fund''s own bureau' using errcode = 'insufficient_privilege';
      end if;
    end if;
    new.proposed_at := now();
    return new;
  end if;
  -- UPDATE: one decision, once; nothing else changes.
  if old.status <> 'pending' then
    raise exception 'finance_proposals: proposal % was % already', old.id, old.status using errcode = 'object_not_in_prerequisite_state';
  end if;
  if (new.id, new.kind, new.fund_id, new.amount, new.quarter, new.reason, new.proposed_by, new.proposed_role, new.proposed_at, new.request_id)
     is distinct from (old.id, old.kind, old.fund_id, old.amount, old.quarter, old.reason, old.proposed_by, old.proposed_role, old.proposed_at, old.request_id) then
    raise exception 'finance_proposals: only the decision of a proposal is recorded' using errcode = 'insufficient_privilege';
  end if;
  select x.role, x.org_id into u from public.users x where x.id = new.decided_by and x.active;
  if not found or u.role <> 'finance_approver' or u.role <> new.decided_role then
    raise exception 'finance_proposals: only an active finance approver decides' using errcode = 'insufficient_privilege';
  end if;
  if new.status = 'approved' and not exists (
       select 1 from pg_catalog.pg_class c where c.oid = tg_relid and pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER')) then
    raise exception 'finance_proposals: a % is approved only by %', replace(new.kind, '_', ' '),
      case new.kind when 'fund_top_up' then 'fund_top_up_approve()' else 'period_reopen()' end
      using errcode = 'insufficient_privilege';
  end if;
  if new.status = 'approved' and new.kind = 'fund_top_up' then
    select x.finance_bureau_org_id as bureau into f from public.funds x where x.id = new.fund_id;
    if f.bureau is distinct from u.org_id then
      raise exception 'finance_proposals: a top-up is approved by the fund''s own bureau' using errcode = 'insufficient_privilege';
    end if;
    -- The allocation is the ledger entry keyed on this proposal, for its amount.
    if not exists (
      select 1 from public.ledger_entries e
        join public.ledger_lines l on l.entry_id = e.id and l.side = 'debit' and l.amount = new.amount
        join public.ledger_accounts a on a.id = l.account_id and a.code = 'fund:' || new.fund_id::text || ':available'
       where e.id = new.ledger_entry_id and e.idempotency_key = 'fund-top-up:' || new.id::text and e.kind = 'fund.allocation') then
      raise exception 'finance_proposals: an approved top-up names its allocation (the ledger entry keyed fund-top-up:%)', new.id
        using errcode = 'check_violation';
    end if;
  end if;
  new.decided_at := now();
  return new;
end $$;

create or replace trigger finance_proposals_guard before insert or delete or update on public.finance_proposals for each row execute function public.finance_proposals_guard();
