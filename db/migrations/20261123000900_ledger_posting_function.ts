import type { Knex } from 'knex';
import { LEDGER_ENTRIES_TRIGGERS_V1 } from './20261123000100_ledger';
import { LEDGER_LINES_AFTER_INSERT_V2, LEDGER_POST_BATCH_V2, LEDGER_SEAL_V2 } from './20261123000400_ledger_speed';

/**
 * The posting function is the ledger's only way in (issue 5: "a posting function that refuses").
 *
 * Until now every rule ran twice over: the posting function built the rows, and statement triggers
 * on ledger_entries and ledger_lines read them back from transition tables to check them (≥ 2
 * lines, numbered 1..n, balanced, the period open, a reversal mirroring its original, balances
 * locked, checked and updated), with a deferred trigger and a per-transaction counter for "every
 * entry got its lines". Now `ledger_post_batch` checks the batch on the arrays it was given, before
 * and as it writes, and nothing else can write:
 *
 * - it runs as the schema's owner (SECURITY DEFINER, with a fixed search_path), and the
 *   application's role loses INSERT on ledger_entries, ledger_lines, ledger_accounts and
 *   ledger_balances (db/app-role.ts reads that from the guards below);
 * - each of those tables refuses a direct write from anyone else, the owner included, unless the
 *   posting function is running (it sets `loanflow.ledger_writer` to 'post' as it starts and clears
 *   it on every way out; an error rolls the setting back with everything else). A role that could
 *   set the flag and then insert would need the INSERT privilege — which only the owner has, and
 *   the owner can drop triggers anyway.
 *
 * What stays in the tables themselves: NOT NULL, CHECK (amounts > 0, sides, kinds...), the unique
 * idempotency key, the primary keys, "reversed at most once", the balances' non-negative CHECK,
 * append-only triggers. Nothing is relaxed: the refusals and their codes are the same (LF002
 * period closed, LF003 unbalanced / too few lines / malformed, LF004 reversal, LF005 account,
 * LF006 numbering or direct write, LF007 key with other content, LF010 insufficient balance).
 *
 * Speed (bench:ledger): one function, its statements planned once per session (generic plans: the
 * arrays' sizes change nothing in these plans); a batch of new keys is inserted plainly, without
 * ON CONFLICT's speculative insertion or the window and merge join that placed replays (both kept
 * for the batch that has some, which the unique key sends that way); the balance rows
 * are locked, checked and updated in one statement. The sealer builds the canonical texts of its
 * batch in one query (the lines of all its entries in one index scan) instead of a sub-query per
 * entry; the bytes are the same.
 */

const POST_BATCH_V3 = `
    -- Posts entries given as parallel arrays; lines carry the 1-based index of their entry and
    -- their number within it (1..n). One statement, so one round trip is atomic without a client
    -- transaction. A key posted before, or earlier in the same batch, is not written again: its row
    -- comes back with was_replayed = true — if its content is the same; otherwise the whole call is
    -- refused (LF007, naming what differs). Balance rules apply to the batch's total effect.
    -- The only way to write the ledger: see 20261123000900_ledger_posting_function.ts.
    create or replace function ledger_post_batch(
      p_keys text[], p_posted_on date[], p_kinds text[], p_descriptions text[], p_metadata jsonb[], p_reverses bigint[],
      p_line_entry integer[], p_line_no integer[], p_accounts text[], p_sides text[], p_amounts numeric[]
    ) returns table (ord integer, posted_id bigint, was_replayed boolean, posted_at timestamptz)
    language plpgsql security definer
    set search_path = pg_catalog, public
    set plan_cache_mode = force_generic_plan
    as $f$
    declare
      n integer := coalesce(cardinality(p_keys), 0);
      m integer := coalesce(cardinality(p_line_entry), 0);
      v_ids bigint[];
      v_keys text[];
      v_constraint text;
      v_at timestamptz[];
      v_replayed boolean[];
      v_account_ids bigint[];
      v_memo boolean[];
      v_entries integer;
      v_stray integer;
      v_short integer;
      v_id bigint;
      v_created timestamptz;
      v_txid bigint := pg_current_xact_id()::text::bigint;
      bad record;
    begin
      if n = 0 then
        return;
      end if;
      -- Opens the tables' guards while this function runs; closed again on every way out (an error
      -- rolls it back with the rest). Set here rather than in a SET clause: PostgreSQL lets only a
      -- superuser store a setting of its own in a function's definition, and the schema's owner
      -- need not be one.
      perform set_config('loanflow.ledger_writer', 'post', true);
      if coalesce(cardinality(p_posted_on), 0) <> n or coalesce(cardinality(p_kinds), 0) <> n
         or coalesce(cardinality(p_descriptions), 0) <> n or coalesce(cardinality(p_metadata), 0) <> n
         or coalesce(cardinality(p_reverses), 0) <> n
         or coalesce(cardinality(p_line_no), 0) <> m or coalesce(cardinality(p_accounts), 0) <> m
         or coalesce(cardinality(p_sides), 0) <> m or coalesce(cardinality(p_amounts), 0) <> m then
        perform ledger_fail('LF003', 'malformed batch: array lengths differ', '{}');
      end if;

      -- Each line's account, by position; accounts come into being on first use, in code order
      -- (two postings creating the same new accounts must not deadlock).
      select array_agg(a.id order by l.i), array_agg(a.type = 'memo' order by l.i)
        into v_account_ids, v_memo
        from unnest(p_accounts) with ordinality as l(code, i)
        join ledger_accounts a on a.code = l.code;
      if coalesce(cardinality(v_account_ids), 0) <> m then
        insert into ledger_accounts (code)
        select w.code
          from (select distinct unnest(p_accounts) as code) w
         where w.code is not null and not exists (select 1 from ledger_accounts a where a.code = w.code)
         order by w.code
        on conflict (code) do nothing;
        select array_agg(a.id order by l.i), array_agg(a.type = 'memo' order by l.i)
          into v_account_ids, v_memo
          from unnest(p_accounts) with ordinality as l(code, i)
          join ledger_accounts a on a.code = l.code;
        if coalesce(cardinality(v_account_ids), 0) <> m then
          perform ledger_fail('LF003', 'malformed batch: a line names no account', '{}');
        end if;
      end if;

      -- Per entry, from the arrays: its lines are numbered 1..n (n ≥ 2; the primary key refuses a
      -- number twice) and balance, on the balance sheet and among memo accounts.
      select count(*) filter (where g.e between 1 and n), count(*) filter (where g.e is null or g.e not between 1 and n)
        into v_entries, v_stray
        from (select l.e from unnest(p_line_entry) as l(e) group by l.e) g;
      if v_stray > 0 then
        perform ledger_fail('LF003', 'malformed batch: a line names no entry of the batch', '{}');
      end if;
      if v_entries < n then
        select s.e into bad from generate_series(1, n) as s(e) where not (s.e = any(p_line_entry)) order by s.e limit 1;
        perform ledger_fail('LF003', format('entry %s of the batch has no lines; an entry needs at least 2', bad.e), jsonb_build_object('entry', bad.e));
      end if;
      select g.e, g.n, g.numbered, g.bal, g.memo into bad
        from (select l.e, count(*) as n, min(l.line_no) = 1 and max(l.line_no) = count(*) as numbered,
                     coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where not l.memo), 0) as bal,
                     coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where l.memo), 0) as memo
                from unnest(p_line_entry, p_line_no, p_sides, p_amounts, v_memo) as l(e, line_no, side, amount, memo)
               group by l.e) g
       where g.n < 2 or not g.numbered or g.bal <> 0 or g.memo <> 0
       order by g.e
       limit 1;
      if found then
        if bad.n < 2 then
          perform ledger_fail('LF003', format('entry %s of the batch has 1 line; an entry needs at least 2', bad.e), jsonb_build_object('entry', bad.e));
        elsif not bad.numbered then
          perform ledger_fail('LF006', format('entry %s of the batch: its lines must be numbered 1..n', bad.e), jsonb_build_object('entry', bad.e));
        end if;
        perform ledger_fail('LF003', format('entry %s of the batch does not balance: debits - credits = %s (memo accounts: %s)', bad.e, bad.bal, bad.memo),
          jsonb_build_object('entry', bad.e));
      end if;

      -- Entries, in input order. Most batches carry new keys only: a plain insert (no speculative
      -- insertion, which costs more than the subtransaction of this block). A key posted before,
      -- or twice in the batch, makes it fail; then the insert skips such keys (replays, placed
      -- below).
      begin
        with ins as (
          insert into ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
          select u.key, u.posted_on, u.kind, coalesce(u.description, ''), coalesce(u.metadata, '{}'::jsonb), u.reverses, v_txid
            from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses)
                 with ordinality as u(key, posted_on, kind, description, metadata, reverses, ord)
           order by u.ord
          returning id, idempotency_key, created_at
        )
        select array_agg(ins.id), array_agg(ins.idempotency_key), array_agg(ins.created_at) into v_ids, v_keys, v_at from ins;
      exception when unique_violation then
        get stacked diagnostics v_constraint = constraint_name;
        if v_constraint is distinct from 'ledger_entries_idempotency_key_key' then
          raise;
        end if;
        with ins as (
          insert into ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
          select u.key, u.posted_on, u.kind, coalesce(u.description, ''), coalesce(u.metadata, '{}'::jsonb), u.reverses, v_txid
            from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses)
                 with ordinality as u(key, posted_on, kind, description, metadata, reverses, ord)
           order by u.ord
          on conflict (idempotency_key) do nothing
          returning id, idempotency_key, created_at
        )
        select array_agg(ins.id), array_agg(ins.idempotency_key), array_agg(ins.created_at) into v_ids, v_keys, v_at from ins;
      end;
      if v_keys is distinct from p_keys then
        -- Each input position gets its key's entry, and is a replay unless it is the first
        -- occurrence of a key written now.
        select array_agg(x.id order by u.ord), array_agg(x.created_at order by u.ord), array_agg(x.id is null or u.ord <> u.first order by u.ord)
          into v_ids, v_at, v_replayed
          from (select k.key, k.ord, min(k.ord) over (partition by k.key) as first from unnest(p_keys) with ordinality as k(key, ord)) u
          left join unnest(v_ids, v_keys, v_at) as x(id, key, created_at) on x.key = u.key;
      else
        v_replayed := array_fill(false, array[n]);
      end if;

      if false = any(v_replayed) then
        -- The quarter is open. Checked after the insert, which holds ledger_entries against a
        -- quarter's close (it takes SHARE on the table) until this transaction ends.
        select p.quarter, d.posted_on into bad
          from (select distinct x.posted_on from unnest(p_posted_on, v_replayed) as x(posted_on, replayed) where not x.replayed) d
          join accounting_periods p on p.status = 'closed' and d.posted_on between p.starts_on and p.ends_on
         order by d.posted_on
         limit 1;
        if found then
          perform ledger_fail('LF002', format('period %s is closed: no posting dated %s (post a correction into an open period)', bad.quarter, bad.posted_on),
            jsonb_build_object('quarter', bad.quarter, 'postedOn', bad.posted_on));
        end if;

        insert into ledger_lines (entry_id, line_no, account_id, side, amount)
        select v_ids[l.e], l.line_no, l.account_id, l.side, l.amount
          from unnest(p_line_entry, p_line_no, v_account_ids, p_sides, p_amounts) as l(e, line_no, account_id, side, amount)
         where not v_replayed[l.e];

        -- A reversal mirrors its original, line for line, sides swapped (an original that does
        -- not exist has no lines, so it is refused too).
        if exists (select 1 from unnest(p_reverses, v_replayed) as r(x, replayed) where r.x is not null and not r.replayed) then
          select e.id, e.reverses_entry_id into bad
            from ledger_entries e
           where e.id in (select r.id from unnest(v_ids, p_reverses, v_replayed) as r(id, x, replayed) where r.x is not null and not r.replayed)
             and exists (
               (select account_id, case side when 'debit' then 'credit' else 'debit' end, amount
                  from ledger_lines where entry_id = e.reverses_entry_id
                except all
                select account_id, side, amount from ledger_lines where entry_id = e.id)
               union all
               (select account_id, side, amount from ledger_lines where entry_id = e.id
                except all
                select account_id, case side when 'debit' then 'credit' else 'debit' end, amount
                  from ledger_lines where entry_id = e.reverses_entry_id))
           order by e.id
           limit 1;
          if found then
            perform ledger_fail('LF004', format('entry %s reverses entry %s but its lines are not the original''s with sides swapped', bad.id, bad.reverses_entry_id),
              jsonb_build_object('entryId', bad.id, 'reversesEntryId', bad.reverses_entry_id));
          end if;
        end if;

        -- Balances: locked by ascending account id (postings over overlapping accounts wait for
        -- each other instead of deadlocking), then updated where no account that may not go
        -- negative would. Fewer rows updated than accounts touched means one would: say which.
        with d as materialized (
          select l.account_id,
                 coalesce(sum(l.amount) filter (where l.side = 'debit'), 0) as dr,
                 coalesce(sum(l.amount) filter (where l.side = 'credit'), 0) as cr,
                 max(v_ids[l.e]) as last_entry
            from unnest(p_line_entry, v_account_ids, p_sides, p_amounts) as l(e, account_id, side, amount)
           where not v_replayed[l.e]
           group by l.account_id
        ), locked as materialized (
          select b.account_id
            from ledger_balances b
           where b.account_id in (select d.account_id from d)
           order by b.account_id
             for update
        ), upd as (
          update ledger_balances b
             set debit_total = b.debit_total + d.dr,
                 credit_total = b.credit_total + d.cr,
                 version = b.version + 1,
                 last_entry_id = d.last_entry,
                 updated_at = now()
            from d
           where b.account_id = d.account_id
             and b.account_id in (select k.account_id from locked k)
             and (b.allow_negative
                  or (case b.normal_side when 'debit' then (b.debit_total + d.dr) - (b.credit_total + d.cr)
                                         else (b.credit_total + d.cr) - (b.debit_total + d.dr) end) >= 0)
          returning b.account_id
        )
        select (select count(*) from d) - (select count(*) from upd) into v_short;
        if v_short > 0 then
          select a.code, a.kind,
                 case b.normal_side when 'debit' then b.debit_total - b.credit_total else b.credit_total - b.debit_total end as balance,
                 case b.normal_side when 'debit' then d.cr - d.dr else d.dr - d.cr end as decrease,
                 b.account_id is null as missing
            into bad
            from (select l.account_id,
                         coalesce(sum(l.amount) filter (where l.side = 'debit'), 0) as dr,
                         coalesce(sum(l.amount) filter (where l.side = 'credit'), 0) as cr
                    from unnest(p_line_entry, v_account_ids, p_sides, p_amounts) as l(e, account_id, side, amount)
                   where not v_replayed[l.e]
                   group by l.account_id) d
            left join ledger_balances b on b.account_id = d.account_id
            left join ledger_accounts a on a.id = d.account_id
           where b.account_id is null
              or (not b.allow_negative
                  and (case b.normal_side when 'debit' then (b.debit_total + d.dr) - (b.credit_total + d.cr)
                                          else (b.credit_total + d.cr) - (b.debit_total + d.dr) end) < 0)
           order by b.account_id nulls first
           limit 1;
          if bad.missing then
            perform ledger_fail('LF005', 'a line names an account that does not exist', '{}');
          end if;
          perform ledger_fail('LF010', format('insufficient balance on %s: balance %s, this posting takes %s', bad.code, bad.balance, bad.decrease),
            jsonb_build_object('account', bad.code, 'kind', bad.kind, 'balance', bad.balance::text, 'required', bad.decrease::text));
        end if;
      end if;

      if not (true = any(v_replayed)) then
        perform set_config('loanflow.ledger_writer', '', true);
        return query select t.ord::integer, t.id, false, t.at from unnest(v_ids, v_at) with ordinality as t(id, at, ord);
        return;
      end if;

      -- Replays: the entry each skipped key already has...
      for k in 1 .. n loop
        if v_ids[k] is null then
          select e.id, e.created_at into v_id, v_created from ledger_entries e where e.idempotency_key = p_keys[k];
          if not found then
            perform ledger_fail('LF003', format('idempotency key %s: no entry found for a replay', p_keys[k]), '{}');
          end if;
          v_ids[k] := v_id;
          v_at[k] := v_created;
        end if;
      end loop;

      -- ...which must carry the content that entry was posted with: the same date, kind,
      -- description, metadata (as JSON values) and reversal, and the same lines in any order.
      select x.key, x.id, x.differences into bad
        from (select p_keys[j] as key, e.id, j,
                     array_remove(array[
                       case when e.posted_on is distinct from p_posted_on[j] then 'postedOn' end,
                       case when e.kind is distinct from p_kinds[j] then 'kind' end,
                       case when e.description is distinct from coalesce(p_descriptions[j], '') then 'description' end,
                       case when e.metadata is distinct from coalesce(p_metadata[j], '{}'::jsonb) then 'metadata' end,
                       case when e.reverses_entry_id is distinct from p_reverses[j] then 'reversesEntryId' end,
                       case when exists (
                              (select l.code, l.side, l.amount
                                 from unnest(p_line_entry, p_accounts, p_sides, p_amounts) as l(ent, code, side, amount) where l.ent = j
                               except all
                               select a.code, sl.side, sl.amount
                                 from ledger_lines sl join ledger_accounts a on a.id = sl.account_id where sl.entry_id = e.id)
                              union all
                              (select a.code, sl.side, sl.amount
                                 from ledger_lines sl join ledger_accounts a on a.id = sl.account_id where sl.entry_id = e.id
                               except all
                               select l.code, l.side, l.amount
                                 from unnest(p_line_entry, p_accounts, p_sides, p_amounts) as l(ent, code, side, amount) where l.ent = j))
                            then 'lines' end
                     ], null) as differences
                from generate_subscripts(p_keys, 1) as j
                join lateral (select e.* from ledger_entries e where e.id = v_ids[j] offset 0) e on true
               where v_replayed[j]) x
       where cardinality(x.differences) > 0
       order by x.j
       limit 1;
      if found then
        perform ledger_fail('LF007', format('idempotency key %s already posted entry %s with other content (%s)', to_jsonb(bad.key)::text, bad.id, array_to_string(bad.differences, ', ')),
          jsonb_build_object('idempotencyKey', bad.key, 'entryId', bad.id, 'differences', to_jsonb(bad.differences)));
      end if;
      perform set_config('loanflow.ledger_writer', '', true);
      return query select t.ord::integer, t.id, t.replayed, t.at
                     from unnest(v_ids, v_replayed, v_at) with ordinality as t(id, replayed, at, ord);
    end $f$;
`;

/** The sealer of this migration (20261123001000's `down` restores it from here). */
export const LEDGER_SEAL_V3 = `
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
      prevs text[] := '{}';
      hashes text[] := '{}';
    begin
      perform pg_advisory_xact_lock(7340531, 1);
      -- The chain's head, then its entry: two primary-key lookups. (As one join, the planner could
      -- read both tables whole while their statistics lagged; and a plan cached when the chain was
      -- short reads it whole ever after, so the head is planned afresh on every call.)
      execute 'select c.seq, c.hash, c.entry_id from ledger_chain c order by c.seq desc limit 1'
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
        prevs[k] := v_prev;
        v_prev := encode(sha256(convert_to(v_prev || canons[k], 'UTF8')), 'hex');
        hashes[k] := v_prev;
      end loop;
      insert into ledger_seals (first_seq, last_seq, entries, prev_hash, head_hash)
      values (v_seq + 1, v_seq + n, n, v_first_prev, v_prev)
      returning id into v_seal;
      insert into ledger_chain (seq, entry_id, seal_id, prev_hash, hash)
      select v_seq + t.ord, t.id, v_seal, t.prev, t.h
        from unnest(ids, prevs, hashes) with ordinality as t(id, prev, h, ord);
      return query select v_seal, n, v_prev;
    end $f$;
`;

/** Tables only the posting function writes (their guard: below). */
const POSTED_TABLES = ['ledger_entries', 'ledger_lines', 'ledger_accounts'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger ledger_entries_after_insert on ledger_entries;
    drop trigger ledger_entries_balanced on ledger_entries;
    drop trigger ledger_lines_after_insert on ledger_lines;
    drop trigger ledger_balances_guard on ledger_balances;
    drop function ledger_entries_after_insert();
    drop function ledger_entries_check();
    drop function ledger_lines_after_insert();

    -- Refuses a write unless the posting function is running (the condition is checked once per
    -- statement, before any row). db/app-role.ts withholds the privilege from the application
    -- for every operation a trigger of this function guards.
    create function ledger_refuse_direct_write() returns trigger language plpgsql as $f$
    begin
      perform ledger_fail('LF006', format('%s is written only by posting (ledger_post_batch): direct %s refused', tg_table_name, lower(tg_op)), '{}');
    end $f$;
    ${POSTED_TABLES.map(
      (t) => `create trigger ${t}_direct_write before insert on ${t} for each statement
      when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function ledger_refuse_direct_write();`,
    ).join('\n    ')}
    create trigger ledger_balances_direct_write before insert or update on ledger_balances for each statement
      when (current_setting('loanflow.ledger_writer', true) is distinct from 'post') execute function ledger_refuse_direct_write();
  `);
  await knex.raw(POST_BATCH_V3);
  await knex.raw(LEDGER_SEAL_V3);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(LEDGER_SEAL_V2);
  await knex.raw(LEDGER_POST_BATCH_V2);
  await knex.raw(`
    drop trigger ledger_balances_direct_write on ledger_balances;
    ${POSTED_TABLES.map((t) => `drop trigger ${t}_direct_write on ${t};`).join('\n    ')}
    drop function ledger_refuse_direct_write();
    create trigger ledger_balances_guard before insert or update on ledger_balances
      for each row when (pg_trigger_depth() = 0) execute function ledger_balances_guard();
    ${LEDGER_ENTRIES_TRIGGERS_V1}
    ${LEDGER_LINES_AFTER_INSERT_V2.replace('create or replace function', 'create function')}
    create trigger ledger_lines_after_insert after insert on ledger_lines
      referencing new table as new_lines
      for each statement execute function ledger_lines_after_insert();
  `);
}
