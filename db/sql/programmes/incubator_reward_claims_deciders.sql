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
  perform public.finance_claim_deciders('incubator_reward_claims', old.id,
    old.checked_by is null and old.status = 'FILED' and new.status in ('CHECKED', 'REFUSED'), old.checked_by, new.checked_by,
    'decided_by', old.status in ('CHECKED', 'PENDING_BUDGET') and new.status in ('CHECKED', 'PENDING_BUDGET', 'PAID', 'REJECTED'),
    old.decided_by, new.decided_by, old.fund_id, new.fund_id);
  return new;
end $$;

create or replace trigger incubator_reward_claims_deciders before update on public.incubator_reward_claims for each row execute function public.incubator_reward_claims_deciders();
