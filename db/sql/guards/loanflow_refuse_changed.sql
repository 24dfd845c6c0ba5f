-- The row guards' one refusal of a change: when columns other than `may_change` differ between the
-- two versions of a row (each as JSON), raises `refusal` with `{columns}` replaced by their names.

create or replace function public.loanflow_refuse_changed(n jsonb, o jsonb, may_change text[], refusal text) returns void
language plpgsql stable set search_path = pg_catalog, public, pg_temp as $$
declare
  changed text := public.loanflow_changed_columns(n, o, may_change);
begin
  if changed is not null then
    raise exception '%', pg_catalog.replace(refusal, '{columns}', changed) using errcode = 'insufficient_privilege';
  end if;
end $$;
