-- Who decides an incubator reward claim (docs/programmes.md, docs/security.md), held by the
-- database whatever the application writes: the check (CHECKED or REFUSED) by an active finance
-- officer, named once and only at the check; the decision (approval, payment, rejection) by an
-- active finance approver, named only once the claim is checked (an approver may approve again
-- after a top-up); and the fund that pays is the deciding approver's bureau's. The table's
-- incubator_reward_claims_four_eyes keeps checker and approver two people; a claim is inserted with
-- neither named (programme_claim_status_guard).

create or replace function public.incubator_reward_claims_deciders() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.checked_by is distinct from old.checked_by and (
       old.checked_by is not null or old.status <> 'FILED' or new.status not in ('CHECKED', 'REFUSED')
    or not public.finance_decider(new.checked_by, 'finance_officer')) then
    raise exception 'incubator_reward_claims.checked_by: claim % is checked once, at its check, by an active finance officer', old.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.decided_by is distinct from old.decided_by and (
       old.status not in ('CHECKED', 'PENDING_BUDGET') or new.status not in ('CHECKED', 'PENDING_BUDGET', 'PAID', 'REJECTED')
    or not public.finance_decider(new.decided_by, 'finance_approver')) then
    raise exception 'incubator_reward_claims.decided_by: claim % is decided, once checked, by an active finance approver', old.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.fund_id is not null and (new.fund_id, new.decided_by) is distinct from (old.fund_id, old.decided_by)
     and not exists (select 1 from public.funds f join public.users u on u.org_id = f.finance_bureau_org_id
                      where f.id = new.fund_id and u.id = new.decided_by) then
    raise exception 'incubator_reward_claims.fund_id: claim % is paid from a fund of its approver''s bureau', old.id
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger incubator_reward_claims_deciders before update on public.incubator_reward_claims
  for each row execute function public.incubator_reward_claims_deciders();
