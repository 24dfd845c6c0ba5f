-- A statement's lines are loaded into a table of their own, then attached as a partition of
-- statement_lines (a million-line import within 3 x a plain COPY): the importer asks this function
-- for an empty table of the reconciliation's own, COPYs into it, and statement_lines_finish builds
-- its primary key and attaches it, all inside the import's transaction. Runs as the owner, only
-- for a reconciliation that is importing; the caller may insert into the table until finish.

create or replace function public.statement_lines_begin(p_reconciliation uuid) returns text
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  t text;
begin
  perform 1 from public.reconciliations r where r.id = p_reconciliation and r.status = 'importing';
  if not found then
    raise exception 'statement_lines_begin: reconciliation % is not importing', p_reconciliation using errcode = 'insufficient_privilege';
  end if;
  t := public.statement_lines_new_partition(p_reconciliation);
  execute format('create trigger while_importing after insert on public.%I for each statement execute function public.statement_lines_while_open(%L)', t, p_reconciliation);
  if session_user <> current_user then
    execute format('grant insert on public.%I to %I', t, session_user);
  end if;
  return t;
end $$;
