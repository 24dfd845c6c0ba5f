-- A seal continues the chain: it starts right after the seal before it (seqs are unique at both
-- ends, so seals tile the chain), and names entries that exist, in (txid, id) order, each after the
-- last entry of the seal before it, so no entry is chained twice. Entries and seals are
-- append-only, so nothing checked here can change later.

create or replace function public.ledger_seals_after_insert() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  bad record;
begin
  select s.id into bad
    from new_seals s
    left join lateral (select q.entry_ids[q.entries] as last_id from public.ledger_seals q where q.last_seq = s.first_seq - 1 offset 0) p on true
    cross join lateral (
      select count(*) as n, coalesce(bool_and(y.key > y.prev_key), true) as ordered
        from (select (e.txid, e.id) as key,
                     coalesce(lag((e.txid, e.id)) over (order by t.ord),
                              (select (f.txid, f.id) from public.ledger_entries f where f.id = p.last_id),
                              (0::bigint, 0::bigint)) as prev_key
                from unnest(s.entry_ids) with ordinality as t(id, ord)
                join lateral (select e.txid, e.id from public.ledger_entries e where e.id = t.id offset 0) e on true) y) x
   where (s.first_seq <> 1 and p.last_id is null) or x.n <> s.entries or not x.ordered
   order by s.id
   limit 1;
  if found then
    perform ledger_fail('LF006', format('ledger_seals: seal %s does not continue the chain (it starts right after the seal before it, with entries that exist, in chain order)', bad.id),
      jsonb_build_object('sealId', bad.id));
  end if;
  return null;
end $$;

create or replace trigger ledger_seals_after_insert after insert on public.ledger_seals referencing new table as new_seals for each statement execute function public.ledger_seals_after_insert();
