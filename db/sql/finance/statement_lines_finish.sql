-- Builds the partition's primary key in one sorted pass and attaches it (see statement_lines_begin.sql).

create or replace function public.statement_lines_finish(p_reconciliation uuid) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  t text := public.statement_lines_partition(p_reconciliation);
begin
  perform 1 from public.reconciliations r where r.id = p_reconciliation and r.status = 'importing';
  if not found then
    raise exception 'statement_lines_finish: reconciliation % is not importing', p_reconciliation using errcode = 'insufficient_privilege';
  end if;
  execute format('alter table public.%I add primary key (reconciliation_id, line_no)', t);
  execute format('alter table public.statement_lines attach partition public.%I for values in (%L)', t, p_reconciliation);
  if session_user <> current_user then
    execute format('revoke insert on public.%I from %I', t, session_user);
  end if;
end $$;
