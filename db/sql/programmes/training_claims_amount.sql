-- A training claim is checked at what its live lines sum to (usecases/programme-claim-steps.ts makes
-- the amount so at the filing and again at the officer's adjustment), whatever the application
-- writes while it is FILED; from the check on its amount and its lines no longer change
-- (programme_claim_status_guard, training_claim_lines_guard), so the approver pays that sum. The
-- check's row lock waits for a line being inserted (training_claim_lines_inserted shares it).

create or replace function public.training_claims_amount() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.amount is distinct from (select coalesce(sum(l.amount), 0) from public.training_claim_lines l where l.claim_id = new.id and l.live) then
    raise exception 'training_claims.amount: claim % is checked at what its live lines sum to', new.id
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

-- Only the check pays for the sum.
create or replace trigger training_claims_amount before update on public.training_claims for each row when (old.status = 'FILED' and new.status = 'CHECKED') execute function public.training_claims_amount();
