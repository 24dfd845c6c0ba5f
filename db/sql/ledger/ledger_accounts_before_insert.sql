-- Accounts are created on first use from the one kind of the chart their code matches; the fund or
-- organisation the code names must exist and be of the kind's entity.

create or replace function public.ledger_accounts_before_insert() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  c public.ledger_chart;
  n integer;
  ref text := split_part(new.code, ':', 2);
begin
  select count(*) into n from public.ledger_chart where new.code ~ code_pattern;
  if n <> 1 then
    perform ledger_fail('LF005', format('account code %s matches %s kinds of the chart (must match exactly one)', new.code, n), jsonb_build_object('account', new.code));
  end if;
  select * into c from public.ledger_chart where new.code ~ code_pattern;
  if c.entity = 'fund' then
    if not exists (select 1 from public.funds f where f.id = ref::uuid) then
      perform ledger_fail('LF005', format('account %s: fund %s does not exist', new.code, ref), jsonb_build_object('account', new.code));
    end if;
  elsif c.entity is not null then
    if not exists (select 1 from public.organisations o where o.id = ref::uuid and o.type = c.entity) then
      perform ledger_fail('LF005', format('account %s: no %s organisation %s', new.code, c.entity, ref), jsonb_build_object('account', new.code));
    end if;
  end if;
  new.kind := c.kind;
  new.type := c.type;
  new.normal_side := c.normal_side;
  new.allow_negative := c.allow_negative;
  new.name := c.name;
  new.created_at := now();
  return new;
end $$;

create or replace trigger ledger_accounts_before_insert before insert on public.ledger_accounts for each row execute function public.ledger_accounts_before_insert();
