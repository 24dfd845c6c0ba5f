-- The empty, unattached table, with every CHECK of the parent (ATTACH requires them).

create or replace function public.statement_lines_new_partition(p_reconciliation uuid) returns text
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  t text := statement_lines_partition(p_reconciliation);
begin
  execute format('create table public.%I (like public.statement_lines including constraints including defaults)', t);
  -- The partition's bound as a CHECK: ATTACH then need not read the rows to prove it.
  execute format('alter table public.%I add constraint bound check (reconciliation_id = %L::uuid)', t, p_reconciliation);
  execute format('alter table public.%I alter column reconciliation_id set default %L::uuid', t, p_reconciliation);
  execute format('create trigger no_truncate before truncate on public.%I for each statement execute function public.loanflow_refuse_change()', t);
  return t;
end $$;
