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
  -- Its check is the labour officer's or the finance officer's (above); the approval is as every
  -- claim's: an active finance approver, once the claim is checked, paying from their bureau's fund.
  perform public.finance_claim_deciders('training_claims', new.id, null, new.checked_by, new.checked_by,
    'decided_by', old.status in ('CHECKED', 'PENDING_BUDGET'), old.decided_by, new.decided_by, old.fund_id, new.fund_id);
  return new;
end $$;

create or replace trigger training_claims_deciders before insert or update on public.training_claims for each row execute function public.training_claims_deciders();
