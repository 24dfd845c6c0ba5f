-- A claim's coverage, count and total never change once filed, and its status moves only forward:
-- a rejection frees its accruals for a claim filed again (subsidy_claims_claimed_once ignores it),
-- so a claim that was paid is never rejected, and a rejected one never comes back. Claims are
-- never deleted. docs/ledger.md, "Subsidy claims".

create or replace function public.subsidy_claims_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if (new.id, new.bank_id, new.quarter, new.seqs, new.line_count, new.total, new.filed_on, new.filed_by, new.workflow_id, new.late)
     is distinct from (old.id, old.bank_id, old.quarter, old.seqs, old.line_count, old.total, old.filed_on, old.filed_by, old.workflow_id, old.late) then
    raise exception 'subsidy_claims: what a filed claim covers never changes' using errcode = 'insufficient_privilege';
  end if;
  if new.status is distinct from old.status and (old.status, new.status) not in (
       ('SUBMITTED', 'CHECKED'), ('SUBMITTED', 'REJECTED'),
       ('CHECKED', 'PAID'), ('CHECKED', 'PENDING_BUDGET'), ('CHECKED', 'REJECTED'),
       ('PENDING_BUDGET', 'PAID'), ('PENDING_BUDGET', 'REJECTED'),
       ('PAID', 'PAYOUT_REVERSED'), ('PAYOUT_REVERSED', 'PAID')) then
    raise exception 'subsidy_claims: a claim does not move from % to %', old.status, new.status using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger subsidy_claims_guard before update on public.subsidy_claims for each row execute function public.subsidy_claims_guard();
