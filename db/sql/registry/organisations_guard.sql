-- An organisation keeps its id and its type: the ledger opens its accounts by type (a bank's, a
-- guarantee company's), and officers act for it by it. Organisations are never deleted
-- (loanflow_refuse_change). docs/security.md.

create or replace function public.organisations_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform public.loanflow_refuse_changed(pg_catalog.to_jsonb(new), pg_catalog.to_jsonb(old), array['name', 'region'], pg_catalog.format('organisations %s: {columns} never changes', old.id));
  return new;
end $$;

create or replace trigger organisations_guard before update on public.organisations
  for each row execute function public.organisations_guard();
