import type { Knex } from 'knex';
import { LEDGER_LINES_AFTER_INSERT_V1, LEDGER_POST_BATCH_V1, LEDGER_SEAL_V1 } from './20261123000100_ledger';

/**
 * Ledger speed (issue 5's bench target): the same rules as 20261123000100_ledger.ts, at less cost
 * per posting and per sealed entry. Nothing here relaxes a rule; `down` restores the previous
 * definitions exactly.
 *
 * Posting:
 * - the lines rule looked up each line's entry through a join the planner was free to make a hash
 *   join over all of ledger_entries; with statistics that lag an append-heavy table (autovacuum
 *   analyses in steps) it did, so every posting read the whole ledger. Now each entry of the
 *   statement is one primary-key probe.
 * - a batch is one statement that also compares a replayed key's content with its entry (and
 *   takes a key repeated within the batch), so it needs no client transaction: one round trip
 *   instead of three (BEGIN, the call, COMMIT), which on loopback cost the client more CPU than
 *   building the batch did.
 * - the entry kind's check says the same without a bounded repetition (as the hash checks below).
 *
 * Sealing (it runs beside the writers, so its cost is theirs on a shared machine):
 * - the chain's head is found by two primary-key lookups instead of a join the planner could turn
 *   into reading both tables (5 ms a call at 60,000 entries, whatever the batch size);
 * - the next entries to chain are found through a B-tree on (txid, id), read in chain order and
 *   cut at the batch size; the BRIN index it replaces made every call re-read the last block range
 *   (and any range not yet summarised) and sort it, and the old batch query joined the lines of the
 *   whole ledger to pick out the batch's. Each entry's lines are now read by its primary key;
 * - the canonical text is the same bytes as `ledger_entry_canonical`, with each field converted
 *   once (the inlined `ledger_field` converted every value up to three times);
 * - the chain's hash checks say the same thing without a bounded repetition (`{64}` makes
 *   PostgreSQL's regex engine build a large automaton for every row it checks), and the two
 *   per-row foreign-key probes of `ledger_chain` (each also locking the entry row it read, which
 *   wrote to the entry's page again) become one set-based check per statement, as `ledger_lines`
 *   already does. Entries and seals are append-only, so nothing a chain row names can disappear.
 */

/** The lines rule of this migration (20261123000900's `down` restores it from here). */
export const LEDGER_LINES_AFTER_INSERT_V2 = `
    create or replace function ledger_lines_after_insert() returns trigger language plpgsql as $f$
    declare
      bad record;
      n bigint;
      foreign_entries bigint;
      bad_entry bigint;
      reversals bigint[];
      cur bigint := pg_current_xact_id()::text::bigint;
    begin
      -- Per entry of this statement, in one pass: it exists and was written by this transaction;
      -- its lines are 1..n (n ≥ 2) and balance, on the balance sheet and among memo accounts.
      select count(*), count(*) filter (where x.foreign_entry),
             min(x.entry_id) filter (where not x.numbered or x.n < 2 or x.bal <> 0 or x.memo <> 0),
             array_agg(x.entry_id) filter (where x.reverses is not null)
        into n, foreign_entries, bad_entry, reversals
        from (select g.entry_id, g.n, g.numbered, g.bal, g.memo,
                     e.id is null or e.txid <> cur as foreign_entry, e.reverses_entry_id as reverses
                from (select l.entry_id, count(*) as n, min(l.line_no) = 1 and max(l.line_no) = count(*) as numbered,
                             coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type <> 'memo'), 0) as bal,
                             coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type = 'memo'), 0) as memo
                        from new_lines l
                        left join ledger_accounts a on a.id = l.account_id
                       group by l.entry_id) g
                -- One primary-key probe per entry, whatever the planner believes of the table's size: a
                -- join left to the planner read the whole ledger on every posting while its statistics lagged.
                left join lateral (select e.id, e.txid, e.reverses_entry_id from ledger_entries e where e.id = g.entry_id offset 0) e on true) x;
      if foreign_entries > 0 then
        perform ledger_fail('LF006', 'lines can only be added to an entry written in the same transaction', '{}');
      end if;
      if bad_entry is not null then
        select l.entry_id, count(*) as n, min(l.line_no) = 1 and max(l.line_no) = count(*) as numbered,
               coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type <> 'memo'), 0) as bal,
               coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type = 'memo'), 0) as memo
          into bad
          from new_lines l left join ledger_accounts a on a.id = l.account_id
         where l.entry_id = bad_entry
         group by l.entry_id;
        if not bad.numbered then
          perform ledger_fail('LF006', format('entry %s: its lines must be numbered 1..n and inserted together', bad.entry_id), jsonb_build_object('entryId', bad.entry_id));
        elsif bad.n < 2 then
          perform ledger_fail('LF003', format('entry %s has %s line(s); an entry needs at least 2', bad.entry_id, bad.n), jsonb_build_object('entryId', bad.entry_id));
        end if;
        perform ledger_fail('LF003', format('entry %s does not balance: debits - credits = %s (memo accounts: %s)', bad.entry_id, bad.bal, bad.memo),
          jsonb_build_object('entryId', bad.entry_id));
      end if;

      -- A reversal mirrors its original, line for line, sides swapped.
      if reversals is not null then
      select e.id, e.reverses_entry_id into bad
        from ledger_entries e
       where e.id = any(reversals)
         and exists (
           (select account_id, case side when 'debit' then 'credit' else 'debit' end, amount
              from ledger_lines where entry_id = e.reverses_entry_id
            except all
            select account_id, side, amount from new_lines where entry_id = e.id)
           union all
           (select account_id, side, amount from new_lines where entry_id = e.id
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

      -- Fixed order: every posting locks its balance rows by ascending account id, so postings
      -- over overlapping accounts wait for each other instead of deadlocking. The same query
      -- looks for a missing account, or one that may not go negative and would (the sort reads
      -- every locked row first, so all of them are locked before anything is refused or changed).
      with d as materialized (
        select account_id,
               coalesce(sum(amount) filter (where side = 'debit'), 0) as dr,
               coalesce(sum(amount) filter (where side = 'credit'), 0) as cr
          from new_lines group by account_id
      ), locked as materialized (
        select b.account_id, b.normal_side, b.allow_negative, b.debit_total, b.credit_total
          from ledger_balances b
         where b.account_id in (select account_id from d)
         order by b.account_id
           for update
      )
      select a.code, a.kind, b.normal_side,
             case b.normal_side when 'debit' then b.debit_total - b.credit_total else b.credit_total - b.debit_total end as balance,
             case b.normal_side when 'debit' then d.cr - d.dr else d.dr - d.cr end as decrease,
             b.account_id is null as missing
        into bad
        from d
        left join locked b on b.account_id = d.account_id
        left join ledger_accounts a on a.id = b.account_id
       where b.account_id is null
          or (not b.allow_negative
              and (case b.normal_side when 'debit' then (b.debit_total + d.dr) - (b.credit_total + d.cr)
                                      else (b.credit_total + d.cr) - (b.debit_total + d.dr) end) < 0)
       order by b.account_id nulls first
       limit 1;
      if found then
        if bad.missing then
          perform ledger_fail('LF005', 'a line names an account that does not exist', '{}');
        end if;
        perform ledger_fail('LF010', format('insufficient balance on %s: balance %s, this posting takes %s', bad.code, bad.balance, bad.decrease),
          jsonb_build_object('account', bad.code, 'kind', bad.kind, 'balance', bad.balance::text, 'required', bad.decrease::text));
      end if;

      update ledger_balances b
         set debit_total = b.debit_total + d.dr,
             credit_total = b.credit_total + d.cr,
             version = b.version + 1,
             last_entry_id = d.last_entry,
             updated_at = now()
        from (select account_id,
                     coalesce(sum(amount) filter (where side = 'debit'), 0) as dr,
                     coalesce(sum(amount) filter (where side = 'credit'), 0) as cr,
                     max(entry_id) as last_entry
                from new_lines group by account_id) d
       where b.account_id = d.account_id;

      perform set_config('loanflow.ledger_pending',
        (coalesce(nullif(current_setting('loanflow.ledger_pending', true), ''), '0')::bigint - n)::text, true);
      return null;
    end $f$;
`;

/** The chain rows' check of this migration (20261123001000's `down` restores it from here). */
export const LEDGER_CHAIN_AFTER_INSERT_V1 = `
    -- What the two foreign keys said, once per statement: every chain row names an entry and a seal.
    -- (Looked up by primary key with the ids as an array, so the plan never scans a whole table.)
    create function ledger_chain_after_insert() returns trigger language plpgsql as $f$
    declare
      v_entries bigint[];
      v_seals bigint[];
    begin
      select array_agg(distinct c.entry_id), array_agg(distinct c.seal_id) into v_entries, v_seals from new_chain c;
      if (select count(*) from ledger_entries e where e.id = any(v_entries)) <> cardinality(v_entries)
         or (select count(*) from ledger_seals s where s.id = any(v_seals)) <> cardinality(v_seals) then
        perform ledger_fail('LF006', 'ledger_chain: a row names an entry or a seal that does not exist', '{}');
      end if;
      return null;
    end $f$;
    create trigger ledger_chain_after_insert after insert on ledger_chain
      referencing new table as new_chain
      for each statement execute function ledger_chain_after_insert();
`;

export const LEDGER_POST_BATCH_V2 = `
    -- Posts entries given as parallel arrays; lines carry the 1-based index of their entry and
    -- their number within it (1..n). One statement, so one round trip is atomic without a client
    -- transaction. A key posted before, or earlier in the same batch, is not written again: its row
    -- comes back with was_replayed = true — if its content is the same; otherwise the whole call is
    -- refused (LF007, naming what differs). Balance rules apply to the batch's total effect.
    create or replace function ledger_post_batch(
      p_keys text[], p_posted_on date[], p_kinds text[], p_descriptions text[], p_metadata jsonb[], p_reverses bigint[],
      p_line_entry integer[], p_line_no integer[], p_accounts text[], p_sides text[], p_amounts numeric[]
    ) returns table (ord integer, posted_id bigint, was_replayed boolean, posted_at timestamptz)
    language plpgsql as $f$
    declare
      n integer := coalesce(cardinality(p_keys), 0);
      m integer := coalesce(cardinality(p_line_entry), 0);
      v_ids bigint[];
      v_at timestamptz[];
      v_replayed boolean[];
      v_id bigint;
      v_created timestamptz;
      v_txid bigint := pg_current_xact_id()::text::bigint;
      bad record;
    begin
      if n = 0 then
        return;
      end if;
      -- Entries and their lines are two statements here; the commit-time rule must wait for both.
      set constraints ledger_entries_balanced deferred;
      if coalesce(cardinality(p_posted_on), 0) <> n or coalesce(cardinality(p_kinds), 0) <> n
         or coalesce(cardinality(p_descriptions), 0) <> n or coalesce(cardinality(p_metadata), 0) <> n
         or coalesce(cardinality(p_reverses), 0) <> n
         or coalesce(cardinality(p_line_no), 0) <> m or coalesce(cardinality(p_accounts), 0) <> m
         or coalesce(cardinality(p_sides), 0) <> m or coalesce(cardinality(p_amounts), 0) <> m then
        perform ledger_fail('LF003', 'malformed batch: array lengths differ', '{}');
      end if;

      -- Accounts come into being on first use, in code order (two postings creating the same new
      -- accounts must not deadlock).
      insert into ledger_accounts (code)
      select w.code
        from (select distinct unnest(p_accounts) as code) w
       where not exists (select 1 from ledger_accounts a where a.code = w.code)
       order by w.code
      on conflict (code) do nothing;

      -- 1. Entries: the first occurrence of each key, in input order; a key that exists already is
      -- skipped here and looked up below (a replay), as is a later occurrence in the batch.
      with t as (
        select u.*, min(u.ord) over (partition by u.key) as first
          from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses)
               with ordinality as u(key, posted_on, kind, description, metadata, reverses, ord)
      ), ins as (
        insert into ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
        select t.key, t.posted_on, t.kind, coalesce(t.description, ''), coalesce(t.metadata, '{}'::jsonb), t.reverses, v_txid
          from t where t.ord = t.first
         order by t.ord
        on conflict (idempotency_key) do nothing
        returning id, idempotency_key, created_at
      )
      select array_agg(ins.id order by t.ord), array_agg(ins.created_at order by t.ord), array_agg(ins.id is null or t.ord <> t.first order by t.ord)
        into v_ids, v_at, v_replayed
        from t left join ins on ins.idempotency_key = t.key;

      -- 2. Their lines, addressed by position.
      insert into ledger_lines (entry_id, line_no, account_id, side, amount)
      select v_ids[l.e], l.line_no, a.id, l.side, l.amount
        from unnest(p_line_entry, p_line_no, p_accounts, p_sides, p_amounts) as l(e, line_no, code, side, amount)
        join ledger_accounts a on a.code = l.code
       where not v_replayed[l.e];

      if not (true = any(v_replayed)) then
        return query select t.ord::integer, t.id, false, t.at from unnest(v_ids, v_at) with ordinality as t(id, at, ord);
        return;
      end if;

      -- 3. Replays: the entry each skipped key already has...
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
      return query select t.ord::integer, t.id, t.replayed, t.at
                     from unnest(v_ids, v_replayed, v_at) with ordinality as t(id, replayed, at, ord);
    end $f$;
`;


export const LEDGER_SEAL_V2 = `
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
      r record;
      k integer := 0;
      ids bigint[] := '{}';
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
      -- The batch in chain order straight from the (txid, id) index; its canonical texts (the bytes
      -- of ledger_entry_canonical: fields length-prefixed, then the lines in order), each field
      -- converted once; then the chain.
      for r in
        select c.id,
               concat('E', octet_length(c.i), ':', c.i, octet_length(c.k), ':', c.k, octet_length(c.p), ':', c.p,
                      octet_length(c.kd), ':', c.kd, octet_length(c.d), ':', c.d,
                      case when c.r is null then '~' else octet_length(c.r)::text || ':' || c.r end,
                      octet_length(c.m), ':', c.m, octet_length(c.ca), ':', c.ca,
                      (select string_agg(concat('L', octet_length(x.n), ':', x.n, octet_length(x.code), ':', x.code,
                                                octet_length(x.side), ':', x.side, octet_length(x.amt), ':', x.amt), '' order by x.line_no)
                         from (select l.line_no, l.line_no::text as n, a.code, l.side, l.amount::text as amt
                                 from ledger_lines l join ledger_accounts a on a.id = l.account_id
                                where l.entry_id = c.id
                               offset 0) x)) as canon
          from (select e.id, e.txid, e.id::text as i, e.idempotency_key as k, to_char(e.posted_on, 'YYYY-MM-DD') as p,
                       e.kind as kd, e.description as d, e.reverses_entry_id::text as r, e.metadata::text as m,
                       to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ca
                  from ledger_entries e
                 where (e.txid, e.id) > (v_txid, v_id) and e.txid < v_horizon
                 order by e.txid, e.id
                 limit greatest(p_limit, 1)) c
         order by c.txid, c.id
      loop
        k := k + 1;
        ids[k] := r.id;
        prevs[k] := v_prev;
        v_prev := encode(sha256(convert_to(v_prev || r.canon, 'UTF8')), 'hex');
        hashes[k] := v_prev;
      end loop;
      if k = 0 then
        return query select null::bigint, 0, v_prev;
        return;
      end if;
      insert into ledger_seals (first_seq, last_seq, entries, prev_hash, head_hash)
      values (v_seq + 1, v_seq + k, k, v_first_prev, v_prev)
      returning id into v_seal;
      insert into ledger_chain (seq, entry_id, seal_id, prev_hash, hash)
      select v_seq + t.ord, t.id, v_seal, t.prev, t.h
        from unnest(ids, prevs, hashes) with ordinality as t(id, prev, h, ord);
      return query select v_seal, k, v_prev;
    end $f$;
`;

export const HEX64 = (col: string) => `check (length(${col}) = 64 and ${col} !~ '[^0-9a-f]')`;
const OLD_HEX64 = (col: string) => `check (${col} ~ '^[0-9a-f]{64}$')`;

export async function up(knex: Knex): Promise<void> {
  // ---- posting: the lines rule ------------------------------------------------------------------
  await knex.raw(LEDGER_LINES_AFTER_INSERT_V2);

  await knex.raw(LEDGER_POST_BATCH_V2);
  // The same rule as '^[a-z][a-z0-9_.]{0,63}$' without the bounded repetition (see HEX64 below).
  await knex.raw(`
    alter table ledger_entries drop constraint ledger_entries_kind_check,
      add constraint ledger_entries_kind_check check (length(kind) <= 64 and kind ~ '^[a-z][a-z0-9_.]*$');
  `);

  // ---- sealing ------------------------------------------------------------------------------------
  await knex.raw(`
    drop index ledger_entries_txid;
    create index ledger_entries_txid on ledger_entries (txid, id);

    alter table ledger_chain
      drop constraint ledger_chain_hash_check, add constraint ledger_chain_hash_check ${HEX64('hash')},
      drop constraint ledger_chain_prev_hash_check, add constraint ledger_chain_prev_hash_check ${HEX64('prev_hash')},
      drop constraint ledger_chain_entry_id_fkey,
      drop constraint ledger_chain_seal_id_fkey;
    alter table ledger_seals
      drop constraint ledger_seals_head_hash_check, add constraint ledger_seals_head_hash_check ${HEX64('head_hash')},
      drop constraint ledger_seals_prev_hash_check, add constraint ledger_seals_prev_hash_check ${HEX64('prev_hash')};

    ${LEDGER_CHAIN_AFTER_INSERT_V1}
    ${LEDGER_SEAL_V2}
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(LEDGER_LINES_AFTER_INSERT_V1.replace('create function', 'create or replace function'));
  await knex.raw(LEDGER_POST_BATCH_V1.replace('create function', 'create or replace function'));
  await knex.raw(`
    alter table ledger_entries drop constraint ledger_entries_kind_check,
      add constraint ledger_entries_kind_check check (kind ~ '^[a-z][a-z0-9_.]{0,63}$');
  `);
  await knex.raw(`
    ${LEDGER_SEAL_V1.replace('create function', 'create or replace function')}
    drop trigger ledger_chain_after_insert on ledger_chain;
    drop function ledger_chain_after_insert();
    alter table ledger_seals
      drop constraint ledger_seals_head_hash_check, add constraint ledger_seals_head_hash_check ${OLD_HEX64('head_hash')},
      drop constraint ledger_seals_prev_hash_check, add constraint ledger_seals_prev_hash_check ${OLD_HEX64('prev_hash')};
    alter table ledger_chain
      drop constraint ledger_chain_hash_check, add constraint ledger_chain_hash_check ${OLD_HEX64('hash')},
      drop constraint ledger_chain_prev_hash_check, add constraint ledger_chain_prev_hash_check ${OLD_HEX64('prev_hash')},
      add constraint ledger_chain_entry_id_fkey foreign key (entry_id) references ledger_entries(id),
      add constraint ledger_chain_seal_id_fkey foreign key (seal_id) references ledger_seals(id);
    drop index ledger_entries_txid;
    create index ledger_entries_txid on ledger_entries using brin (txid);
  `);
}
