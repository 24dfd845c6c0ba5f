-- One field of an entry's canonical text, length-prefixed so that no separator can be forged
-- ('~' for null). IMMUTABLE SQL without a search_path, so the planner inlines it.

create or replace function public.ledger_field(v text) returns text
language sql immutable as $$ select case when v is null then '~' else octet_length(v)::text || ':' || v end $$;
