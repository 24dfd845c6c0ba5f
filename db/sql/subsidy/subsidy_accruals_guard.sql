-- A subsidy accrues only as the repayment step writes it (docs/security.md): for a period of the
-- loan settled on time, to the loan's bank, for exactly the period's subsidy, due date and
-- quarter, on an accrual entry of its own: `subsidy.accrual`, written for this loan and period,
-- crediting that bank's subsidy payable by that amount. A forged accrual would otherwise be
-- claimed and paid from the special fund like an earned one. Whether the period was paid within
-- the policy's grace days is the repayment step's verdict (the period's status), not computed here.

create or replace function public.subsidy_accruals_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_bank uuid;
  v_period public.loan_periods%rowtype;
begin
  select l.bank_id into v_bank from public.loans l where l.id = new.loan_id;
  select * into v_period from public.loan_periods p where p.loan_id = new.loan_id and p.period = new.period;
  if v_bank is distinct from new.bank_id or v_period.status is distinct from 'paid_on_time'
     or (v_period.subsidy, v_period.due_on, v_period.quarter) is distinct from (new.amount, new.due_on, new.quarter) then
    raise exception 'subsidy_accruals %: period %: a subsidy accrues for a period paid on time, its own subsidy, to the loan''s bank', new.loan_id, new.period
      using errcode = 'insufficient_privilege';
  end if;
  if not exists (
       select 1
         from public.ledger_entries e
         join public.ledger_lines ln on ln.entry_id = e.id and ln.side = 'credit'
         join public.ledger_accounts a on a.id = ln.account_id
        where e.id = new.ledger_entry_id and e.kind = 'subsidy.accrual'
          and e.metadata ->> 'loanId' = new.loan_id::text and e.metadata ->> 'period' = new.period::text
          and a.code = 'bank:' || new.bank_id::text || ':subsidy_payable' and ln.amount = new.amount) then
    raise exception 'subsidy_accruals %: period %: ledger_entry_id must be its own accrual entry (subsidy.accrual for this loan and period, crediting its bank''s subsidy payable by its amount)', new.loan_id, new.period
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger subsidy_accruals_guard before insert on public.subsidy_accruals for each row execute function public.subsidy_accruals_guard();
