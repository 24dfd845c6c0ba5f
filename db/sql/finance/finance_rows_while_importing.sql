-- Statement lines and mismatch items are written only while their reconciliation is importing.

create or replace function public.finance_rows_while_importing() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  bad record;
begin
  select n.reconciliation_id, r.status into bad
    from (select distinct reconciliation_id from new_rows) n
    left join public.reconciliations r on r.id = n.reconciliation_id
   where r.status is distinct from 'importing'
   limit 1;
  if found then
    raise exception '%: rows are added only while their reconciliation is importing (reconciliation %: %)',
      tg_table_name, bad.reconciliation_id, coalesce(bad.status, 'does not exist')
      using errcode = 'insufficient_privilege';
  end if;
  return null;
end $$;

create or replace trigger reconciliation_items_while_importing after insert on public.reconciliation_items referencing new table as new_rows for each statement execute function public.finance_rows_while_importing();
create or replace trigger statement_lines_while_importing after insert on public.statement_lines referencing new table as new_rows for each statement execute function public.finance_rows_while_importing();
