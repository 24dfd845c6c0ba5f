-- A reconciliation moves once, from importing to imported, and nothing else of it changes.

create or replace function public.reconciliations_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'importing' then
      raise exception 'reconciliations: a reconciliation starts as importing' using errcode = 'insufficient_privilege';
    end if;
    perform finance_quarter_open(new.quarter);
    return new;
  end if;
  if tg_op = 'UPDATE' and old.status = 'importing' and new.status = 'imported'
     and (new.id, new.seq, new.bank_id, new.quarter, new.source_format, new.file_name, new.imported_by, new.imported_at, new.request_id)
         is not distinct from (old.id, old.seq, old.bank_id, old.quarter, old.source_format, old.file_name, old.imported_by, old.imported_at, old.request_id) then
    return new;
  end if;
  raise exception 'reconciliations: % refused (a reconciliation is final once imported; import the statement again instead)', lower(tg_op)
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger reconciliations_guard before insert or delete or update on public.reconciliations for each row execute function public.reconciliations_guard();
