-- On each partition: rows are added only while its reconciliation (tg_argv[0]) is importing; one
-- row read per statement instead of a transition table of a million.

create or replace function public.statement_lines_while_open() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_status text;
begin
  select r.status into v_status from public.reconciliations r where r.id = tg_argv[0]::uuid;
  if v_status is distinct from 'importing' then
    raise exception '%: rows are added only while their reconciliation is importing (reconciliation %: %)',
      tg_table_name, tg_argv[0], coalesce(v_status, 'does not exist')
      using errcode = 'insufficient_privilege';
  end if;
  return null;
end $$;
