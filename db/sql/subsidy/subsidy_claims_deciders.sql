-- Who decides a subsidy claim (docs/security.md), held by the database whatever the application
-- writes: the check (CHECKED, or REJECTED at the check) by an active finance officer, the approval
-- by an active finance approver, each named once and only at that step; a rejection after the
-- check by an active finance approver; and the fund that pays is the approver's bureau's. The
-- table's check keeps checker and approver two people; subsidy_claims_cover inserts a claim with
-- nobody named, and subsidy_claims_guard freezes the names once it is paid.

create or replace function public.subsidy_claims_deciders() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.rejected_by is distinct from old.rejected_by and (
       old.rejected_by is not null or new.status <> 'REJECTED'
    or (old.status = 'SUBMITTED' and new.rejected_by is distinct from new.checked_by)
    or (old.status <> 'SUBMITTED' and not public.finance_decider(new.rejected_by, 'finance_approver'))) then
    raise exception 'subsidy_claims.rejected_by: claim % is rejected by its checker at the check, or by an active finance approver after it', old.id
      using errcode = 'insufficient_privilege';
  end if;
  perform public.finance_claim_deciders('subsidy_claims', old.id,
    old.checked_by is null and old.status = 'SUBMITTED' and new.status in ('CHECKED', 'REJECTED'), old.checked_by, new.checked_by,
    'approved_by', old.approved_by is null and old.status = 'CHECKED' and new.status in ('CHECKED', 'PENDING_BUDGET', 'PAID'),
    old.approved_by, new.approved_by, old.fund_id, new.fund_id);
  return new;
end $$;

create or replace trigger subsidy_claims_deciders before update on public.subsidy_claims for each row execute function public.subsidy_claims_deciders();
