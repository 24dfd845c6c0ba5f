-- A claim line only moves from live to paid or voided; it is never deleted.

create or replace function public.subsidy_claim_lines_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'subsidy_claim_lines: delete refused' using errcode = 'insufficient_privilege';
  end if;
  if (new.claim_id, new.loan_id, new.period, new.amount, new.balance_at_start, new.balance_at_end)
     is distinct from (old.claim_id, old.loan_id, old.period, old.amount, old.balance_at_start, old.balance_at_end)
     or (old.paid and not new.paid) or (old.voided and not new.voided) then
    raise exception 'subsidy_claim_lines: a line only moves from live to paid or voided' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger subsidy_claim_lines_guard before delete or update on public.subsidy_claim_lines for each row execute function public.subsidy_claim_lines_guard();
