-- An entry's canonical text, head then lines in order: what the chain hashes.

create or replace function public.ledger_entry_canonical(p_id bigint) returns text
language sql stable set search_path = pg_catalog, public, pg_temp as $$
select ledger_canonical_head(e)
       || coalesce((select string_agg(ledger_canonical_line(l, a.code), '' order by l.line_no)
                      from public.ledger_lines l join public.ledger_accounts a on a.id = l.account_id
                     where l.entry_id = e.id), '')
  from public.ledger_entries e where e.id = p_id
$$;
