-- A reward is filed at the amount its policy version pays for its kind of event, paid to the
-- operator and again to the enterprise (usecases/programme-claim-steps.ts fileReward reads the same
-- parameter), whatever the application writes; afterwards the amount is the filing's and never
-- changes (programme_claim_status_guard). A version stored before incubator rewards were a policy
-- parameter has none here: the application's defaults apply to it (docs/security.md, "Limits").

create or replace function public.incubator_reward_claims_amount() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_rewards jsonb;
begin
  select p.params -> 'incubatorRewards' into v_rewards from public.policies p where p.id = new.policy_id;
  if v_rewards is null
     or (pg_catalog.jsonb_typeof(v_rewards -> new.kind -> 'amountEach') = 'string'
         and (v_rewards -> new.kind ->> 'amountEach')::numeric = new.amount_each) then
    return new;
  end if;
  raise exception 'incubator_reward_claims.amount_each: claim % is filed at its policy''s amount for a % event', new.id, new.kind
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger incubator_reward_claims_amount before insert on public.incubator_reward_claims for each row execute function public.incubator_reward_claims_amount();
