-- Who decides a claim's finance steps, the rule the claim tables share (subsidy_claims_deciders,
-- incubator_reward_claims_deciders, training_claims_deciders): a checker is named only at a step
-- that allows it (`p_may_check`, the claim's own rule) and is an active finance officer; an approver
-- likewise (`p_may_approve`) and is an active finance approver (finance_decider); the fund that pays
-- is of the approver's bureau. Raises 42501 naming the table and column.

create or replace function public.finance_claim_deciders(
  p_table text, p_claim uuid,
  p_may_check boolean, p_old_checker uuid, p_new_checker uuid,
  p_approver_column text, p_may_approve boolean, p_old_approver uuid, p_new_approver uuid,
  p_old_fund uuid, p_new_fund uuid) returns void
language plpgsql stable set search_path = pg_catalog, public, pg_temp as $$
begin
  if p_new_checker is distinct from p_old_checker
     and not (coalesce(p_may_check, false) and public.finance_decider(p_new_checker, 'finance_officer')) then
    raise exception '%.checked_by: claim % is checked once, at its check, by an active finance officer', p_table, p_claim
      using errcode = 'insufficient_privilege';
  end if;
  if p_new_approver is distinct from p_old_approver
     and not (coalesce(p_may_approve, false) and public.finance_decider(p_new_approver, 'finance_approver')) then
    raise exception '%.%: claim % is approved, once checked, by an active finance approver', p_table, p_approver_column, p_claim
      using errcode = 'insufficient_privilege';
  end if;
  if p_new_fund is not null and (p_new_fund, p_new_approver) is distinct from (p_old_fund, p_old_approver)
     and not exists (select 1 from public.funds f join public.users u on u.org_id = f.finance_bureau_org_id
                      where f.id = p_new_fund and u.id = p_new_approver) then
    raise exception '%.fund_id: claim % is paid from a fund of its approver''s bureau', p_table, p_claim
      using errcode = 'insufficient_privilege';
  end if;
end $$;
