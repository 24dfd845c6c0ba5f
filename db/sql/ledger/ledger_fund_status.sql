-- budget = allocated; available and reserved are held by the fund; paid = what has left it.

create or replace function public.ledger_fund_status(p_fund uuid) returns table (id uuid, year integer, budget numeric, reserved numeric, paid numeric, available numeric)
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
)
select f.id, f.year, s.budget, s.reserved, (s.budget - s.available - s.reserved)::numeric(20,2), s.available
  from public.funds f cross join s where f.id = p_fund
$$;
