-- budget = allocated; available and reserved are held by the fund; lapsed = what went back to the
-- treasury when the fund's year ended (entries of kind fund.lapse); paid = what else has left it.

drop function if exists public.ledger_fund_status(uuid);
create function public.ledger_fund_status(p_fund uuid) returns table (id uuid, year integer, budget numeric, reserved numeric, paid numeric, available numeric, lapsed numeric)
language sql stable set search_path = pg_catalog, public, pg_temp as $$
with b as (
  select a.kind,
         case bl.normal_side when 'debit' then bl.debit_total - bl.credit_total else bl.credit_total - bl.debit_total end as bal
    from public.ledger_accounts a join public.ledger_balances bl on bl.account_id = a.id
   where a.code in ('fund:' || p_fund || ':budget', 'fund:' || p_fund || ':available', 'fund:' || p_fund || ':reserved')
), s as (
  select coalesce(sum(bal) filter (where kind = 'fund_budget'), 0)::numeric(20,2) as budget,
         coalesce(sum(bal) filter (where kind = 'fund_available'), 0)::numeric(20,2) as available,
         coalesce(sum(bal) filter (where kind = 'fund_reserved'), 0)::numeric(20,2) as reserved
    from b
), l as (
  select coalesce(sum(case ll.side when 'credit' then ll.amount else -ll.amount end), 0)::numeric(20,2) as lapsed
    from public.ledger_accounts a
    join public.ledger_lines ll on ll.account_id = a.id
    join public.ledger_entries e on e.id = ll.entry_id
   where a.code = 'fund:' || p_fund || ':available' and e.kind = 'fund.lapse'
)
select f.id, f.year, s.budget, s.reserved, (s.budget - s.available - s.reserved - l.lapsed)::numeric(20,2), s.available, l.lapsed
  from public.funds f cross join s cross join l where f.id = p_fund
$$;
