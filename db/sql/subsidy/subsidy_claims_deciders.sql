-- Who decides a subsidy claim (docs/security.md), held by the database whatever the application
-- writes: the check (CHECKED, or REJECTED at the check) by an active finance officer, the approval
-- by an active finance approver, each named once and only at that step; a rejection after the
-- check by an active finance approver; and the fund that pays is the approver's bureau's. The
-- table's check keeps checker and approver two people; subsidy_claims_cover inserts a claim with
-- nobody named, and subsidy_claims_guard freezes the names once it is paid.

create or replace function public.subsidy_claims_deciders() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.checked_by is distinct from old.checked_by and (
       old.checked_by is not null or old.status <> 'SUBMITTED' or new.status not in ('CHECKED', 'REJECTED')
    or not public.finance_decider(new.checked_by, 'finance_officer')) then
    raise exception 'subsidy_claims.checked_by: claim % is checked once, at its check, by an active finance officer', old.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.approved_by is distinct from old.approved_by and (
       old.approved_by is not null or old.status <> 'CHECKED' or new.status not in ('CHECKED', 'PENDING_BUDGET', 'PAID')
    or not public.finance_decider(new.approved_by, 'finance_approver')) then
    raise exception 'subsidy_claims.approved_by: claim % is approved once, after its check, by an active finance approver', old.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.rejected_by is distinct from old.rejected_by and (
       old.rejected_by is not null or new.status <> 'REJECTED'
    or (old.status = 'SUBMITTED' and new.rejected_by is distinct from new.checked_by)
    or (old.status <> 'SUBMITTED' and not public.finance_decider(new.rejected_by, 'finance_approver'))) then
    raise exception 'subsidy_claims.rejected_by: claim % is rejected by its checker at the check, or by an active finance approver after it', old.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.fund_id is not null and (new.fund_id, new.approved_by) is distinct from (old.fund_id, old.approved_by)
     and not exists (select 1 from public.funds f join public.users u on u.org_id = f.finance_bureau_org_id
                      where f.id = new.fund_id and u.id = new.approved_by) then
    raise exception 'subsidy_claims.fund_id: claim % is paid from a fund of its approver''s bureau', old.id
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger subsidy_claims_deciders before update on public.subsidy_claims
  for each row execute function public.subsidy_claims_deciders();
