-- The extension's re-plan, checked at commit: loan_periods_guard lets the periods nothing was paid
-- towards be re-planned while the loan's extension event is recorded and the loan not extended yet;
-- by the end of the transaction the loan must be extended (recordExtension writes extended_months
-- after the periods), or the re-plan, and an extension's period added, is refused. docs/security.md.

create or replace function public.loan_periods_replanned() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if (case when tg_op = 'INSERT' then new.extended
           else new.paid = 0 and public.loanflow_changed_columns(pg_catalog.to_jsonb(new), pg_catalog.to_jsonb(old),
                                   array['paid', 'last_paid_on', 'status', 'updated_at']) is not null end)
     and not exists (select 1 from public.loans l where l.id = new.loan_id and l.extended_months > 0) then
    raise exception 'loan_periods %/%: a period is re-planned, or an extension''s added, only as the loan is extended in the same transaction',
      new.loan_id, new.period using errcode = 'insufficient_privilege';
  end if;
  return null;
end $$;

-- A constraint trigger cannot be replaced in place.
drop trigger if exists loan_periods_replanned on public.loan_periods;
-- Queued only for rows it may refuse (an extension's period, or one nothing was paid towards), not
-- for every payment a repayment writes.
create constraint trigger loan_periods_replanned after insert or update on public.loan_periods
  deferrable initially deferred for each row when (new.extended or new.paid = 0) execute function public.loan_periods_replanned();
