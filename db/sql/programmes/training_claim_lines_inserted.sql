-- A training claim's line is inserted live, while its claim is FILED (its filing, or an officer's
-- check still to come): a line added to a checked or paid claim was never checked, and a paid base
-- claim's live lines are what its outcome part pays for (docs/programmes.md). It is of its claim's
-- part, at the rate the claim's policy version pays per trainee for that part (what
-- usecases/programme-claim-steps.ts writes; the claim is checked at what its live lines sum to,
-- training_claims_amount.sql); a version stored before the rates were a policy parameter has none
-- here, and the application's defaults apply (docs/security.md, "Limits"). How a line may change
-- afterwards: training_claim_lines_guard.sql.

create or replace function public.training_claim_lines_inserted() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_status text;
  v_part text;
  v_rates jsonb;
begin
  -- Shared lock: a check under way (which locks the claim) is waited for, then its status read.
  select c.status, c.part, p.params -> 'trainingSubsidy' into v_status, v_part, v_rates
    from public.training_claims c join public.policies p on p.id = c.policy_id
   where c.id = new.claim_id
     for share of c;
  if not new.live or v_status is distinct from 'FILED' then
    raise exception 'training_claim_lines: a line is inserted live into a filed claim (claim % is not filed, or the line is not live)', new.claim_id
      using errcode = 'insufficient_privilege';
  end if;
  if new.part is distinct from v_part or (v_rates is not null and (
       pg_catalog.jsonb_typeof(v_rates -> case v_part when 'base' then 'basePerPassed' else 'outcomePerStarted' end) is distinct from 'string'
    or (v_rates ->> case v_part when 'base' then 'basePerPassed' else 'outcomePerStarted' end)::numeric is distinct from new.amount)) then
    raise exception 'training_claim_lines.amount: a line of claim % is of its part (%), at its policy''s rate for it', new.claim_id, v_part
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger training_claim_lines_inserted before insert on public.training_claim_lines for each row execute function public.training_claim_lines_inserted();
