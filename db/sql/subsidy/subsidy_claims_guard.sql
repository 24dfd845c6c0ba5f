-- A claim's coverage, count and total never change once filed, and its status moves only forward:
-- a rejection frees its accruals for a claim filed again (subsidy_claims_claimed_once ignores it),
-- so a claim that was paid is never rejected, and a rejected one never comes back. Claims are
-- never deleted. docs/ledger.md, "Subsidy claims".
--
-- Once paid, the payment stands as recorded: who checked and approved it, why, and its fund never
-- change, and its payout entry and date change only as a reconciliation's reversal leaves them and
-- the approver's new payout replaces them. PAID becomes PAYOUT_REVERSED only once the ledger holds
-- the reversal of its payout; PAYOUT_REVERSED becomes PAID only with another payout of the fund,
-- one no other claim names and nothing reverses. Else one UPDATE would mark a payout reversed that
-- is not, and the approver's "pay again" would pay the bank twice. docs/security.md.
--
-- Every move is someone's decision: CHECKED names its checker, PENDING_BUDGET and PAID its checker
-- and approver, REJECTED who rejected it. A claim becomes PAID, the first time or again, only with
-- a payout of its own: a fund payout made for this claim, of its total, that no other claim names
-- and nothing reverses (a reversed payout freed by a claim paid again pays no other claim).

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
  if new.status is distinct from old.status and (
       (new.status = 'CHECKED' and new.checked_by is null)
    or (new.status in ('PENDING_BUDGET', 'PAID') and (new.checked_by is null or new.approved_by is null))
    or (new.status = 'REJECTED' and new.rejected_by is null)) then
    raise exception 'subsidy_claims: claim % becomes % only as someone decides it', old.id, new.status using errcode = 'insufficient_privilege';
  end if;
  if new.status = 'PAID' and old.status is distinct from 'PAID' and (
       new.payout_entry_id is not distinct from old.payout_entry_id
    or not exists (select 1 from public.ledger_entries e
                    where e.id = new.payout_entry_id and e.kind = 'fund.payout' and e.metadata ->> 'claimId' = new.id::text
                      and exists (select 1 from public.ledger_lines l where l.entry_id = e.id and l.side = 'debit' and l.amount = new.total))
    or exists (select 1 from public.ledger_entries r where r.reverses_entry_id = new.payout_entry_id)
    or exists (select 1 from public.subsidy_claims c where c.payout_entry_id = new.payout_entry_id and c.id <> old.id)) then
    raise exception 'subsidy_claims: claim % is paid only by a payout of its own that stands', old.id using errcode = 'insufficient_privilege';
  end if;
  if old.status not in ('PAID', 'PAYOUT_REVERSED') then
    return new;
  end if;

  if (new.checked_by, new.checked_at, new.check_reason, new.approved_by, new.approved_at, new.approval_reason,
      new.rejected_by, new.rejected_at, new.rejection_reason, new.fund_id)
     is distinct from (old.checked_by, old.checked_at, old.check_reason, old.approved_by, old.approved_at, old.approval_reason,
      old.rejected_by, old.rejected_at, old.rejection_reason, old.fund_id) then
    raise exception 'subsidy_claims: claim % was paid; who decided it and its fund never change', old.id using errcode = 'insufficient_privilege';
  end if;
  if old.status = 'PAYOUT_REVERSED' and new.status = 'PAID' then
    return new;
  end if;
  if (new.payout_entry_id, new.paid_on) is distinct from (old.payout_entry_id, old.paid_on) then
    raise exception 'subsidy_claims: the payout of claim % never changes (a reversal, then a new payout, replace it)', old.id using errcode = 'insufficient_privilege';
  end if;
  if old.status = 'PAID' and new.status = 'PAYOUT_REVERSED'
     and not exists (select 1 from public.ledger_entries r where r.reverses_entry_id = old.payout_entry_id) then
    raise exception 'subsidy_claims: the payout of claim % is not reversed in the ledger', old.id using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger subsidy_claims_guard before update on public.subsidy_claims for each row execute function public.subsidy_claims_guard();
