-- A recorded repayment lets a period's payment, and a payoff's re-plan, through loan_periods_guard;
-- so it is inserted only with its own money: its ledger entry is a `loan.repayment` of that loan
-- and period that no other repayment names, for a loan being repaid (docs/security.md). Forging
-- one means posting a repayment to the ledger as well, where the books show it.

create or replace function public.loan_repayments_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if not exists (select 1 from public.loans l where l.id = new.loan_id and l.status = 'REPAYING') then
    raise exception 'loan_repayments %/%: loan_id: a repayment is recorded for a loan being repaid', new.loan_id, new.period
      using errcode = 'insufficient_privilege';
  end if;
  if not exists (select 1 from public.ledger_entries e
                  where e.id = new.ledger_entry_id and e.kind = 'loan.repayment'
                    and e.metadata ->> 'loanId' = new.loan_id::text and e.metadata ->> 'period' = new.period::text)
     or exists (select 1 from public.loan_repayments r where r.ledger_entry_id = new.ledger_entry_id) then
    raise exception 'loan_repayments %/%: ledger_entry_id: a repayment is recorded with its own ledger entry, a repayment of that loan and period',
      new.loan_id, new.period using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger loan_repayments_guard before insert on public.loan_repayments
  for each row execute function public.loan_repayments_guard();
