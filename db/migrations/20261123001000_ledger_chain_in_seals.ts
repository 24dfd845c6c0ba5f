import type { Knex } from 'knex';
import { LEDGER_CHAIN_AFTER_INSERT_V1, HEX64 } from './20261123000400_ledger_speed';
import { LEDGER_SEAL_V3 } from './20261123000900_ledger_posting_function';

/**
 * The hash chain is kept in its seals: each seal holds, in chain order, the ids of the entries it
 * chains and each entry's hash (sha256 over the previous entry's hash and the entry's canonical
 * content — unchanged). One row per batch instead of one row (and two index entries) per entry:
 * sealing cost about a quarter less per entry, and the sealer runs beside the writers, on their
 * CPUs (issue 5's bench).
 *
 * What the chain table's keys and checks said is said here:
 * - an entry's place is its seal and its position there: seq = first_seq + position - 1;
 * - the seals tile the chain: each starts where the one before it ended (checked as a seal is
 *   written), and their arrays have `entries` elements, hashes in lower-case hex;
 * - every entry a seal names exists, and a seal's entries come in chain order ((txid, id) strictly
 *   ascending), after the last entry of the seal before it — so no entry is ever chained twice.
 *
 * Existing chain rows move into their seals (the seals' append-only guard is paused for that one
 * statement); `down` moves them back.
 */

const SEAL_V4 = `
    -- Chains, in (txid, id) order, the entries whose writing transaction has ended: anything below
    -- the snapshot's xmin is finished, so no entry can later appear before the chain's end.
    -- Writers never touch the chain; only sealers queue, on an advisory lock.
    create or replace function ledger_seal(p_limit integer default 10000)
    returns table (seal_id bigint, sealed integer, head_hash text)
    language plpgsql as $f$
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
      execute 'select s.last_seq, s.head_hash, s.entry_ids[s.entries] from ledger_seals s order by s.last_seq desc limit 1'
         into v_seq, v_prev, v_id;
      if v_seq is not null then
        select e.txid into v_txid from ledger_entries e where e.id = v_id;
      else
        v_seq := 0; v_prev := repeat('0', 64); v_txid := 0; v_id := 0;
      end if;
      v_first_prev := v_prev;
      -- The batch in chain order, straight from the (txid, id) index.
      select array_agg(b.id order by b.txid, b.id) into ids
        from (select e.id, e.txid from ledger_entries e
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
      -- primary key, the lines of the whole batch in one scan of their primary key.
      select array_agg(concat('E', octet_length(c.i), ':', c.i, octet_length(c.k), ':', c.k, octet_length(c.p), ':', c.p,
                              octet_length(c.kd), ':', c.kd, octet_length(c.d), ':', c.d,
                              case when c.r is null then '~' else octet_length(c.r)::text || ':' || c.r end,
                              octet_length(c.m), ':', c.m, octet_length(c.ca), ':', c.ca, ln.canon) order by c.ord)
        into canons
        from (select b.ord, e.id, e.id::text as i, e.idempotency_key as k, to_char(e.posted_on, 'YYYY-MM-DD') as p,
                     e.kind as kd, e.description as d, e.reverses_entry_id::text as r, e.metadata::text as m,
                     to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ca
                from unnest(ids) with ordinality as b(id, ord)
                join lateral (select e.* from ledger_entries e where e.id = b.id offset 0) e on true) c
        left join (select l.entry_id,
                          string_agg(concat('L', octet_length(l.n), ':', l.n, octet_length(l.code), ':', l.code,
                                            octet_length(l.side), ':', l.side, octet_length(l.amt), ':', l.amt), '' order by l.line_no) as canon
                     from (select l.entry_id, l.line_no, l.line_no::text as n, a.code, l.side, l.amount::text as amt
                             from ledger_lines l join ledger_accounts a on a.id = l.account_id
                            where l.entry_id = any(ids)) l
                    group by l.entry_id) ln on ln.entry_id = c.id;
      for k in 1 .. n loop
        v_prev := encode(sha256(convert_to(v_prev || canons[k], 'UTF8')), 'hex');
        hashes[k] := v_prev;
      end loop;
      insert into ledger_seals (first_seq, last_seq, entries, prev_hash, head_hash, entry_ids, hashes)
      values (v_seq + 1, v_seq + n, n, v_first_prev, v_prev, ids, hashes)
      returning id into v_seal;
      return query select v_seal, n, v_prev;
    end $f$;
`;

const CHAIN_TABLE_V1 = `
    create table ledger_chain (
      seq bigint primary key check (seq > 0),
      entry_id bigint not null unique,
      seal_id bigint not null,
      prev_hash text not null ${HEX64('prev_hash')},
      hash text not null ${HEX64('hash')}
    );
    create trigger ledger_chain_append_only before update or delete on ledger_chain for each row execute function ledger_refuse_change();
    create trigger ledger_chain_no_truncate before truncate on ledger_chain for each statement execute function ledger_refuse_change();
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table ledger_seals add column entry_ids bigint[], add column hashes text[];
    alter table ledger_seals disable trigger ledger_seals_append_only;
    update ledger_seals s
       set entry_ids = c.ids, hashes = c.hashes
      from (select c.seal_id, array_agg(c.entry_id order by c.seq) as ids, array_agg(c.hash order by c.seq) as hashes
              from ledger_chain c group by c.seal_id) c
     where c.seal_id = s.id;
    alter table ledger_seals enable trigger ledger_seals_append_only;
    -- Arrays of hashes do not compress: stored out of line as they are, without trying.
    alter table ledger_seals
      alter column entry_ids set not null, alter column hashes set not null,
      alter column entry_ids set storage external, alter column hashes set storage external,
      add constraint ledger_seals_arrays_check check (
        cardinality(entry_ids) = entries and array_position(entry_ids, null) is null
        and cardinality(hashes) = entries and octet_length(array_to_string(hashes, '')) = 64 * entries
        and array_to_string(hashes, '') !~ '[^0-9a-f]');
    create unique index ledger_seals_first_seq on ledger_seals (first_seq);
    create unique index ledger_seals_last_seq on ledger_seals (last_seq);

    drop table ledger_chain;
    drop function ledger_chain_after_insert();

    -- A seal continues the chain: it starts right after the seal before it (seqs are unique at
    -- both ends, so seals tile the chain), and names entries that exist, in (txid, id) order, each
    -- after the last entry of the seal before it — so no entry is chained twice. Entries and seals
    -- are append-only, so nothing checked here can change later.
    create function ledger_seals_after_insert() returns trigger language plpgsql as $f$
    declare
      bad record;
    begin
      select s.id into bad
        from new_seals s
        left join lateral (select q.entry_ids[q.entries] as last_id from ledger_seals q where q.last_seq = s.first_seq - 1 offset 0) p on true
        cross join lateral (
          select count(*) as n, coalesce(bool_and(y.key > y.prev_key), true) as ordered
            from (select (e.txid, e.id) as key,
                         coalesce(lag((e.txid, e.id)) over (order by t.ord),
                                  (select (f.txid, f.id) from ledger_entries f where f.id = p.last_id),
                                  (0::bigint, 0::bigint)) as prev_key
                    from unnest(s.entry_ids) with ordinality as t(id, ord)
                    join lateral (select e.txid, e.id from ledger_entries e where e.id = t.id offset 0) e on true) y) x
       where (s.first_seq <> 1 and p.last_id is null) or x.n <> s.entries or not x.ordered
       order by s.id
       limit 1;
      if found then
        perform ledger_fail('LF006', format('ledger_seals: seal %s does not continue the chain (it starts right after the seal before it, with entries that exist, in chain order)', bad.id),
          jsonb_build_object('sealId', bad.id));
      end if;
      return null;
    end $f$;
    create trigger ledger_seals_after_insert after insert on ledger_seals
      referencing new table as new_seals
      for each statement execute function ledger_seals_after_insert();
  `);
  await knex.raw(SEAL_V4);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger ledger_seals_after_insert on ledger_seals;
    drop function ledger_seals_after_insert();
    ${CHAIN_TABLE_V1}
    insert into ledger_chain (seq, entry_id, seal_id, prev_hash, hash)
    select s.first_seq + t.ord - 1, t.id, s.id, coalesce(lag(t.hash) over (partition by s.id order by t.ord), s.prev_hash), t.hash
      from ledger_seals s cross join lateral unnest(s.entry_ids, s.hashes) with ordinality as t(id, hash, ord);
    ${LEDGER_CHAIN_AFTER_INSERT_V1}
    drop index ledger_seals_first_seq;
    drop index ledger_seals_last_seq;
    alter table ledger_seals drop constraint ledger_seals_arrays_check;
    alter table ledger_seals drop column entry_ids, drop column hashes;
  `);
  await knex.raw(LEDGER_SEAL_V3);
}
