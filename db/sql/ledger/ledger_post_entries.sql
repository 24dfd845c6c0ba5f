-- The ledger's one writer. Posts entries given as parallel arrays; lines carry the 1-based index
-- of their entry and their number within it (1..n). One statement, so one round trip is atomic
-- without a client transaction. A key posted before, or earlier in the same batch, is not written
-- again: its row comes back with was_replayed = true if its content is the same; otherwise the
-- whole call is refused (LF007, naming what differs). Balance rules apply to the batch's total effect.
--
-- Only the schema's owner runs it: the application's role may not execute it (db/app-role.ts
-- withholds EXECUTE) and posts through ledger_post_batch, which refuses what only an approved
-- top-up may post and then calls this as the owner; fund_allocate calls it for the top-up. It runs
-- as its caller (no security definer), so a role given EXECUTE by mistake would still lack the
-- privileges to write. The ledger's tables refuse a direct write from anyone, the owner included,
-- unless this function is running (it sets loanflow.ledger_writer to 'post'; an error rolls the
-- setting back with everything else).
-- Refusals: LF002 period closed, LF003 unbalanced / too few lines / malformed (an array not
-- from 1, an amount with more than 2 decimals, a date not a day from 2000), LF004 reversal, LF005
-- account, LF006 numbering or direct write, LF007 key with other content, LF010 insufficient
-- balance, LF012 not READ COMMITTED, LF013 money out of a fund that docs/ledger.md does not map
-- (ledger_fund_outflows; db/ledger/errors.ts maps them).
--
-- Speed (npm run bench:ledger): its statements are planned once per session (generic plans: the
-- arrays' sizes change nothing in them); a batch of new keys is inserted plainly, without ON
-- CONFLICT's speculative insertion; the balance rows are locked, checked and updated in one statement.

create or replace function public.ledger_post_entries(p_keys text[], p_posted_on date[], p_kinds text[], p_descriptions text[], p_metadata jsonb[], p_reverses bigint[], p_line_entry integer[], p_line_no integer[], p_accounts text[], p_sides text[], p_amounts numeric[]) returns table (ord integer, posted_id bigint, was_replayed boolean, posted_at timestamptz)
language plpgsql set search_path = pg_catalog, public, pg_temp set plan_cache_mode = force_generic_plan as $$
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
  v_out_ids bigint[];
  v_out_ords integer[];
  bad record;
begin
  -- The quarter check below reads accounting_periods after the insert has waited out any close in
  -- flight; in a snapshot taken earlier (REPEATABLE READ, SERIALIZABLE) a quarter closed since
  -- still looks open. The application writes in READ COMMITTED (PostgreSQL runs READ UNCOMMITTED
  -- as that); its repeatable-read transactions only read.
  if current_setting('transaction_isolation') not in ('read committed', 'read uncommitted') then
    perform ledger_fail('LF012', format('the ledger is posted to only in READ COMMITTED transactions, not %s', current_setting('transaction_isolation')),
      jsonb_build_object('isolation', current_setting('transaction_isolation')));
  end if;
  if n = 0 then
    return;
  end if;
  -- Opens the tables' guards while this function runs; closed again on every way out (an error
  -- rolls it back with the rest). Set here rather than in a SET clause: PostgreSQL lets only a
  -- superuser store a setting of its own in a function's definition, and the schema's owner
  -- need not be one.
  perform set_config('loanflow.ledger_writer', 'post', true);
  -- Arrays are read both by position (unnest) and by subscript (v_ids[l.e], p_keys[k]).
  perform ledger_require_plain_batch(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses, p_line_entry, p_line_no, p_accounts, p_sides, p_amounts);
  if coalesce(cardinality(p_posted_on), 0) <> n or coalesce(cardinality(p_kinds), 0) <> n
     or coalesce(cardinality(p_descriptions), 0) <> n or coalesce(cardinality(p_metadata), 0) <> n
     or coalesce(cardinality(p_reverses), 0) <> n
     or coalesce(cardinality(p_line_no), 0) <> m or coalesce(cardinality(p_accounts), 0) <> m
     or coalesce(cardinality(p_sides), 0) <> m or coalesce(cardinality(p_amounts), 0) <> m then
    perform ledger_fail('LF003', 'malformed batch: array lengths differ', '{}');
  end if;
  -- Dates are days the canonical text can write ('YYYY-MM-DD', docs/ledger.md): to_char of
  -- 'infinity' is null, and a fixed window rather than one around today, since postings carry
  -- the business date (a workflow's may be years ahead of the database's clock).
  select u.ord, u.posted_on into bad
    from unnest(p_posted_on) with ordinality as u(posted_on, ord)
   where u.posted_on is null or not isfinite(u.posted_on) or u.posted_on not between date '2000-01-01' and date '9999-12-31'
   order by u.ord
   limit 1;
  if found then
    perform ledger_fail('LF003', format('entry %s of the batch: posting date %s is not a day from 2000-01-01 to 9999-12-31', bad.ord, coalesce(bad.posted_on::text, 'null')),
      jsonb_build_object('entry', bad.ord));
  end if;

  -- Each line's account, by position; accounts come into being on first use, in code order
  -- (two postings creating the same new accounts must not deadlock).
  select array_agg(a.id order by l.i), array_agg(a.type = 'memo' order by l.i)
    into v_account_ids, v_memo
    from unnest(p_accounts) with ordinality as l(code, i)
    join public.ledger_accounts a on a.code = l.code;
  if coalesce(cardinality(v_account_ids), 0) <> m then
    insert into public.ledger_accounts (code)
    select w.code
      from (select distinct unnest(p_accounts) as code) w
     where w.code is not null and not exists (select 1 from public.ledger_accounts a where a.code = w.code)
     order by w.code
    on conflict (code) do nothing;
    select array_agg(a.id order by l.i), array_agg(a.type = 'memo' order by l.i)
      into v_account_ids, v_memo
      from unnest(p_accounts) with ordinality as l(code, i)
      join public.ledger_accounts a on a.code = l.code;
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
  -- Amounts are checked as they will be stored: NUMERIC(18,2) would round 0.005 to 0.01 after
  -- these balance checks, leaving an unbalanced entry for good (NaN passes no comparison).
  select g.e, g.n, g.numbered, g.bal, g.memo, g.bad_amount into bad
    from (select l.e, count(*) as n, min(l.line_no) = 1 and max(l.line_no) = count(*) as numbered,
                 min(l.line_no) filter (where l.amount is null or l.amount = 'NaN'::numeric or l.amount <> round(l.amount, 2)) as bad_amount,
                 coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where not l.memo), 0) as bal,
                 coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where l.memo), 0) as memo
            from unnest(p_line_entry, p_line_no, p_sides, p_amounts, v_memo) as l(e, line_no, side, amount, memo)
           group by l.e) g
   where g.n < 2 or not g.numbered or g.bal <> 0 or g.memo <> 0 or g.bad_amount is not null
   order by g.e
   limit 1;
  if found then
    if bad.bad_amount is not null then
      perform ledger_fail('LF003', format('entry %s of the batch, line %s: its amount is not a sum of money with at most 2 decimals', bad.e, bad.bad_amount),
        jsonb_build_object('entry', bad.e, 'lineNo', bad.bad_amount));
    elsif bad.n < 2 then
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
      insert into public.ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
      select u.key, u.posted_on, u.kind, coalesce(u.description, ''), coalesce(u.metadata, '{}'::jsonb), u.reverses, v_txid
        from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses) with ordinality as u(key, posted_on, kind, description, metadata, reverses, ord)
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
      insert into public.ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
      select u.key, u.posted_on, u.kind, coalesce(u.description, ''), coalesce(u.metadata, '{}'::jsonb), u.reverses, v_txid
        from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses) with ordinality as u(key, posted_on, kind, description, metadata, reverses, ord)
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
      join public.accounting_periods p on p.status = 'closed' and d.posted_on between p.starts_on and p.ends_on
     order by d.posted_on
     limit 1;
    if found then
      perform ledger_fail('LF002', format('period %s is closed: no posting dated %s (post a correction into an open period)', bad.quarter, bad.posted_on),
        jsonb_build_object('quarter', bad.quarter, 'postedOn', bad.posted_on));
    end if;

    insert into public.ledger_lines (entry_id, line_no, account_id, side, amount)
    select v_ids[l.e], l.line_no, l.account_id, l.side, l.amount
      from unnest(p_line_entry, p_line_no, v_account_ids, p_sides, p_amounts) as l(e, line_no, account_id, side, amount)
     where not v_replayed[l.e];

    -- A reversal mirrors its original, line for line, sides swapped (an original that does
    -- not exist has no lines, so it is refused too).
    if exists (select 1 from unnest(p_reverses, v_replayed) as r(x, replayed) where r.x is not null and not r.replayed) then
      select e.id, e.reverses_entry_id into bad
        from public.ledger_entries e
       where e.id in (select r.id from unnest(v_ids, p_reverses, v_replayed) as r(id, x, replayed) where r.x is not null and not r.replayed)
         and exists (
           (select account_id, case side when 'debit' then 'credit' else 'debit' end, amount
              from public.ledger_lines where entry_id = e.reverses_entry_id
            except all
            select account_id, side, amount from public.ledger_lines where entry_id = e.id)
           union all
           (select account_id, side, amount from public.ledger_lines where entry_id = e.id
            except all
            select account_id, case side when 'debit' then 'credit' else 'debit' end, amount
              from public.ledger_lines where entry_id = e.reverses_entry_id))
       order by e.id
       limit 1;
      if found then
        perform ledger_fail('LF004', format('entry %s reverses entry %s but its lines are not the original''s with sides swapped', bad.id, bad.reverses_entry_id),
          jsonb_build_object('entryId', bad.id, 'reversesEntryId', bad.reverses_entry_id));
      end if;
    end if;

    -- Money out of a special fund (docs/ledger.md): only the entries written now that credit a
    -- fund's available or reserved account are looked at again; a batch without such a line (most:
    -- repayments, disbursals, accruals) costs this one scan of its arrays.
    select array_agg(v_ids[c.e] order by c.e), array_agg(c.e order by c.e) into v_out_ids, v_out_ords
      from (select distinct l.e from unnest(p_line_entry, p_accounts, p_sides) as l(e, code, side)
             where l.side = 'credit' and (l.code like 'fund:%:available' or l.code like 'fund:%:reserved') and not v_replayed[l.e]) c;
    if v_out_ids is not null then
      perform ledger_fund_outflows(v_out_ids, v_out_ords);
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
        from public.ledger_balances b
       where b.account_id in (select d.account_id from d)
       order by b.account_id
         for update
    ), upd as (
      update public.ledger_balances b
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
        left join public.ledger_balances b on b.account_id = d.account_id
        left join public.ledger_accounts a on a.id = d.account_id
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

  -- A lapse takes all that is available: read under the balance's lock, now that it is updated
  -- (only when the batch has one: this runs while the fund's balance is locked).
  if v_out_ids is not null and 'fund.lapse' = any(p_kinds) then
    select le.id, a.code into bad
      from public.ledger_entries le
      join public.ledger_lines l on l.entry_id = le.id and l.side = 'credit'
      join public.ledger_accounts a on a.id = l.account_id and a.kind = 'fund_available'
      join public.ledger_balances b on b.account_id = a.id
     where le.id = any(v_out_ids) and le.kind = 'fund.lapse' and b.debit_total <> b.credit_total
     limit 1;
    if found then
      perform ledger_fail('LF013', format('a lapse of %s leaves money in it: it takes all that is available', bad.code),
        jsonb_build_object('entryId', bad.id, 'kind', 'fund.lapse', 'account', bad.code));
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
      select e.id, e.created_at into v_id, v_created from public.ledger_entries e where e.idempotency_key = p_keys[k];
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
                             from public.ledger_lines sl join public.ledger_accounts a on a.id = sl.account_id where sl.entry_id = e.id)
                          union all
                          (select a.code, sl.side, sl.amount
                             from public.ledger_lines sl join public.ledger_accounts a on a.id = sl.account_id where sl.entry_id = e.id
                           except all
                           select l.code, l.side, l.amount
                             from unnest(p_line_entry, p_accounts, p_sides, p_amounts) as l(ent, code, side, amount) where l.ent = j))
                        then 'lines' end
                 ], null) as differences
            from generate_subscripts(p_keys, 1) as j
            join lateral (select e.* from public.ledger_entries e where e.id = v_ids[j] offset 0) e on true
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
end $$;
