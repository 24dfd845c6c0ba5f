-- Nothing of a closed quarter changes: no reconciliation is imported, no mismatch resolved.

create or replace function public.finance_quarter_open(p_quarter text) returns void
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if exists (select 1 from public.accounting_periods where quarter = p_quarter and status = 'closed') then
    raise exception 'quarter % is closed: its reconciliations can no longer change (reopen it first)', p_quarter
      using errcode = 'FN001';
  end if;
end $$;
