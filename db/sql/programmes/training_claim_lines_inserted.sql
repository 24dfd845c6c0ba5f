-- A training claim's line is inserted live, while its claim is FILED (its filing, or an officer's
-- check still to come): a line added to a checked or paid claim was never checked, and a paid base
-- claim's live lines are what its outcome part pays for (docs/programmes.md). How a line may change
-- afterwards: training_claim_lines_guard.sql.

create or replace function public.training_claim_lines_inserted() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  -- Shared lock: a check under way (which locks the claim) is waited for, then its status read.
  if new.live and exists (select 1 from public.training_claims c where c.id = new.claim_id and c.status = 'FILED' for share) then
    return new;
  end if;
  raise exception 'training_claim_lines: a line is inserted live into a filed claim (claim % is not filed, or the line is not live)', new.claim_id
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger training_claim_lines_inserted before insert on public.training_claim_lines
  for each row execute function public.training_claim_lines_inserted();
