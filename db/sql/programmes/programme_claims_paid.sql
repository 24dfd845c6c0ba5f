-- A paid programme claim (docs/programmes.md) is a fact the ledger and the bank statement are
-- checked against: once PAID, its amount, fund, payment date, entries and payment references never
-- change, whatever the application writes. The quarter's close still proves the rows equal to
-- their entries (docs/reconciliation.md), for a writer who could switch this off.

create or replace function public.programme_claims_paid() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'DELETE' then
    if old.status = 'PAID' then
      raise exception '% %: a paid claim is not deleted', tg_table_name, old.id using errcode = 'check_violation';
    end if;
    return old;
  end if;
  if old.status = 'PAID' and (pg_catalog.to_jsonb(new) - 'updated_at') is distinct from (pg_catalog.to_jsonb(old) - 'updated_at') then
    raise exception '% %: a paid claim does not change', tg_table_name, old.id using errcode = 'check_violation';
  end if;
  return new;
end $$;

create or replace trigger training_claims_paid before update or delete on public.training_claims
  for each row execute function public.programme_claims_paid();
create or replace trigger incubator_reward_claims_paid before update or delete on public.incubator_reward_claims
  for each row execute function public.programme_claims_paid();
