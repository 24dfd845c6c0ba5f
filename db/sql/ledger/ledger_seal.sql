-- Chains, in (txid, id) order, the entries whose writing transaction has ended: anything below the
-- snapshot's xmin is finished, so no entry can later appear before the chain's end. Writers never
-- touch the chain; only sealers queue, on an advisory lock. Each seal holds its entries' ids and
-- hashes in chain order: hash = sha256(previous hash || canonical text of the entry).
-- It runs as the schema's owner (security definer): the application's role may not insert a seal
-- itself (a forged seal, append-only, would make the chain fail verification for good), and the
-- table refuses a row unless this function is writing it (ledger_refuse_direct_write). sealed_by
-- names the role that connected.

create or replace function public.ledger_seal(p_limit integer default 10000) returns table (seal_id bigint, sealed integer, head_hash text)
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_seq bigint := 0;
  v_prev text := repeat('0', 64);
  v_first_prev text;
  v_txid bigint := 0;
  v_id bigint := 0;
  v_horizon bigint := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
  v_seal bigint;
  n integer;
  ids bigint[];
  canons text[];
  hashes text[] := '{}';
begin
  perform pg_advisory_xact_lock(7340531, 1);
  -- The chain's head: the last seal, then its last entry (planned afresh on every call, so a
  -- plan made when the ledger was small is never kept).
  execute 'select s.last_seq, s.head_hash, s.entry_ids[s.entries] from public.ledger_seals s order by s.last_seq desc limit 1'
     into v_seq, v_prev, v_id;
  if v_seq is not null then
    select e.txid into v_txid from public.ledger_entries e where e.id = v_id;
  else
    v_seq := 0; v_prev := repeat('0', 64); v_txid := 0; v_id := 0;
  end if;
  v_first_prev := v_prev;
  -- The batch in chain order, straight from the (txid, id) index.
  select array_agg(b.id order by b.txid, b.id) into ids
    from (select e.id, e.txid from public.ledger_entries e
           where (e.txid, e.id) > (v_txid, v_id) and e.txid < v_horizon
           order by e.txid, e.id
           limit greatest(p_limit, 1)) b;
  n := coalesce(cardinality(ids), 0);
  if n = 0 then
    return query select null::bigint, 0, v_prev;
    return;
  end if;
  -- Their canonical texts, in the same order: the bytes of ledger_entry_canonical (fields
  -- length-prefixed, then the lines in order), each field converted once; each entry by its
  -- primary key, the lines of the whole batch in one scan of their primary key. A null field is
  -- written '~' as ledger_field does; only the date (to_char of an infinite one, which posting
  -- now refuses) and the reversal can be null, every other column is NOT NULL.
  select array_agg(concat('E', octet_length(c.i), ':', c.i, octet_length(c.k), ':', c.k,
                          case when c.p is null then '~' else octet_length(c.p)::text || ':' || c.p end,
                          octet_length(c.kd), ':', c.kd, octet_length(c.d), ':', c.d,
                          case when c.r is null then '~' else octet_length(c.r)::text || ':' || c.r end,
                          octet_length(c.m), ':', c.m, octet_length(c.ca), ':', c.ca, ln.canon) order by c.ord)
    into canons
    from (select b.ord, e.id, e.id::text as i, e.idempotency_key as k, to_char(e.posted_on, 'YYYY-MM-DD') as p,
                 e.kind as kd, e.description as d, e.reverses_entry_id::text as r, e.metadata::text as m,
                 to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ca
            from unnest(ids) with ordinality as b(id, ord)
            join lateral (select e.* from public.ledger_entries e where e.id = b.id offset 0) e on true) c
    left join (select l.entry_id,
                      string_agg(concat('L', octet_length(l.n), ':', l.n, octet_length(l.code), ':', l.code,
                                        octet_length(l.side), ':', l.side, octet_length(l.amt), ':', l.amt), '' order by l.line_no) as canon
                 from (select l.entry_id, l.line_no, l.line_no::text as n, a.code, l.side, l.amount::text as amt
                         from public.ledger_lines l join public.ledger_accounts a on a.id = l.account_id
                        where l.entry_id = any(ids)) l
                group by l.entry_id) ln on ln.entry_id = c.id;
  for k in 1 .. n loop
    v_prev := encode(sha256(convert_to(v_prev || canons[k], 'UTF8')), 'hex');
    hashes[k] := v_prev;
  end loop;
  perform set_config('loanflow.ledger_writer', 'seal', true);
  insert into public.ledger_seals (first_seq, last_seq, entries, prev_hash, head_hash, entry_ids, hashes, sealed_by)
  values (v_seq + 1, v_seq + n, n, v_first_prev, v_prev, ids, hashes, session_user)
  returning id into v_seal;
  perform set_config('loanflow.ledger_writer', '', true);
  return query select v_seal, n, v_prev;
end $$;
