-- The columns whose values differ between two versions of a row (each as JSON), leaving out those
-- a step may write; null when none. The row guards name them in their refusals.

create or replace function public.loanflow_changed_columns(n jsonb, o jsonb, may_change text[]) returns text
language sql stable set search_path = pg_catalog, public, pg_temp as $$
  select pg_catalog.string_agg(c.key, ', ' order by c.key)
    from pg_catalog.jsonb_each(n) c
   where c.key <> all (may_change) and c.value is distinct from (o -> c.key)
$$;
