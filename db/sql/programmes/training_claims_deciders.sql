-- Who decides a training claim (docs/programmes.md), held by the database whatever the application
-- writes: the check is by a user of the role the claim names (the labour bureau's officer; the
-- finance officer for claims filed before that role existed), the approval or rejection by a
-- finance approver (active, of a finance bureau, once the claim is checked, paying from a fund of
-- their bureau). The table's training_claims_four_eyes keeps them two people. A new claim names
-- the labour officer and arrives unchecked and undecided; the claims stored with the finance
-- officer keep it (the check applies to inserts only).

create or replace function public.training_claims_deciders() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_role text;
begin
  if tg_op = 'INSERT' then
    if new.checker_role is distinct from 'labour_officer' then
      raise exception 'training claim %: a new claim is checked by a labour_officer, not a %', new.id, new.checker_role using errcode = 'check_violation';
    end if;
    if new.checked_by is not null or new.decided_by is not null then
      raise exception 'training claim %: a new claim is neither checked nor decided', new.id using errcode = 'check_violation';
    end if;
    return new;
  end if;
  if new.checker_role is distinct from old.checker_role then
    raise exception 'the role that checks a training claim does not change' using errcode = 'check_violation';
  end if;
  if new.checked_by is distinct from old.checked_by then
    select u.role into v_role from public.users u where u.id = new.checked_by;
    if old.checked_by is not null or v_role is distinct from new.checker_role then
      raise exception 'training claim %: checked once, by a %', new.id, new.checker_role using errcode = 'check_violation';
    end if;
  end if;
  if new.decided_by is distinct from old.decided_by and new.decided_by is not null then
    select u.role into v_role from public.users u where u.id = new.decided_by;
    if v_role is distinct from 'finance_approver' then
      raise exception 'training claim %: decided by a finance approver', new.id using errcode = 'check_violation';
    end if;
  end if;
  -- As for incubator rewards (incubator_reward_claims_deciders): the approver is active, of a
  -- finance bureau, names themselves only once the claim is checked, and pays from a fund of their bureau.
  if new.decided_by is distinct from old.decided_by and (
       old.status not in ('CHECKED', 'PENDING_BUDGET') or not public.finance_decider(new.decided_by, 'finance_approver')) then
    raise exception 'training_claims.decided_by: claim % is decided, once checked, by an active finance approver', new.id
      using errcode = 'insufficient_privilege';
  end if;
  if new.fund_id is not null and (new.fund_id, new.decided_by) is distinct from (old.fund_id, old.decided_by)
     and not exists (select 1 from public.funds f join public.users u on u.org_id = f.finance_bureau_org_id
                      where f.id = new.fund_id and u.id = new.decided_by) then
    raise exception 'training_claims.fund_id: claim % is paid from a fund of its approver''s bureau', new.id
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger training_claims_deciders before insert or update on public.training_claims
  for each row execute function public.training_claims_deciders();
