-- Of the columns named, those a row (as JSON) holds a value in; null when none. The guards of
-- inserted rows name them: a row is inserted in its first state, before any later step wrote them.

create or replace function public.loanflow_set_columns(n jsonb, later text[]) returns text
language sql stable set search_path = pg_catalog, public, pg_temp as $$
  select pg_catalog.string_agg(c.key, ', ' order by c.key)
    from pg_catalog.jsonb_each(n) c
   where c.key = any (later) and c.value <> 'null'::jsonb
$$;
