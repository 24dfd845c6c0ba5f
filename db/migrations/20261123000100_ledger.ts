import type { Knex } from 'knex';

/**
 * The double-entry ledger (SPEC §4) and the special fund's budget.
 *
 * What was taken from three open-source Postgres ledgers, and why:
 *
 * - pgledger (pgr0ss/pgledger, pgledger.sql): a balance row per account carrying a `version`, and
 *   the posting locks every account row it touches *in sorted id order* before changing any of
 *   them, so two postings over the same accounts queue instead of deadlocking; per-account flags
 *   `allow_negative_balance` / `allow_positive_balance` checked inside the database; a business
 *   date (`event_at`) kept apart from the insertion time. Here: `ledger_balances` (+ version),
 *   the ordered `FOR UPDATE` in the lines trigger, `allow_negative`, `posted_on` vs `created_at`.
 * - Blnk (blnkfinance/blnk, sql/*.sql): balances keep `debit_balance` and `credit_balance`
 *   separately (the balance is derived), a unique `reference` index is the idempotency guard,
 *   a `parent_transaction` link ties a refund/void/commit to its origin, every transaction gets a
 *   SHA-256 hash, and "inflight" amounts are held apart from the spendable balance. Here:
 *   `debit_total`/`credit_total`, the unique `idempotency_key`, `reverses_entry_id` (unique, so an
 *   entry is reversed at most once), the sha256 chain, and the fund's `reserved` account, which is
 *   our "inflight": approved-but-unpaid subsidy held out of `available`.
 * - Formance (formancehq/ledger, internal/storage/bucket/migrations): accounts are colon-separated
 *   addresses created on first use (`upsert_account`), moves carry an `effective_date` beside the
 *   insertion date, a revert is a new opposite transaction that points at the original, an
 *   `idempotency_key` with a hash of the request tells a true retry from a reuse of the key with
 *   other content, and logs are chained by hash — but there `set_log_hash()` reads the previous
 *   log inside every insert, which serialises all writers on one row. Here: codes such as
 *   `fund:<uuid>:available` created on demand from a chart, reversals as linked opposite entries,
 *   the key-with-other-content check (done by comparing the stored content, see db/ledger/entries.ts),
 *   and the chain computed *after* commit by a separate sealing step (`ledger_seal`) so that
 *   writers never wait on a chain head (ARCHITECTURE.md).
 *
 * Enforced here, whatever the client: charted account codes only (and the fund / organisation the
 * code names must exist); ≥ 2 lines, amounts NUMERIC(18,2) > 0, debits = credits per entry (on the
 * balance sheet and, separately, among memo accounts); an entry's lines arrive together, numbered
 * 1..n, and only in the transaction that wrote the entry (so none can be added later); every entry
 * written gets its lines (checked at commit); no posting into a closed quarter (and closing a
 * quarter waits for the postings in flight); append-only tables (UPDATE / DELETE / TRUNCATE refused
 * by triggers); reversals mirror their original line by line and happen once; balances are
 * maintained by the ledger's own trigger only, under row locks taken in account-id order, and an
 * account that may not go negative never does (a trigger check with a clear error, plus a CHECK
 * constraint as backstop).
 *
 * Cost: the rules run once per statement on transition tables, not once per row, so a batch of
 * entries (ledger_post_batch) pays them once; the commit-time rule is a per-transaction counter.
 * That is why lines carry set-based checks instead of per-row foreign keys, and why the date and
 * txid indexes are BRIN (the tables are append-only, so physical order follows insertion).
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * The chart: one row per kind of account. `entity` names what the code's second segment must be
 * (a fund id, or an organisation of that type). Memo accounts (type 'memo') hold off-balance
 * quantities such as guarantee commitments and must balance among themselves.
 */
const CHART: Array<[kind: string, pattern: string, entity: string | null, type: string, side: string, allowNegative: boolean, name: string]> = [
  // The SME development special fund (one fund per finance bureau and year).
  ['fund_budget', `^fund:${UUID}:budget$`, 'fund', 'equity', 'credit', false, 'Special fund: budget allocated'],
  ['fund_available', `^fund:${UUID}:available$`, 'fund', 'asset', 'debit', false, 'Special fund: available budget'],
  ['fund_reserved', `^fund:${UUID}:reserved$`, 'fund', 'asset', 'debit', false, 'Special fund: reserved for approved claims'],
  // The finance bureau's treasury: where public money comes from; may go negative (an outside source).
  ['treasury_cash', `^treasury:${UUID}:cash$`, 'finance_bureau', 'asset', 'debit', true, 'Treasury cash'],
  // Interest subsidy: expense when earned (on-time periods), owed to the lending bank until paid.
  ['subsidy_expense', '^program:subsidy_expense$', null, 'expense', 'debit', false, 'Interest subsidy expense'],
  ['bank_subsidy_payable', `^bank:${UUID}:subsidy_payable$`, 'bank', 'liability', 'credit', false, 'Interest subsidy payable to bank'],
  // Banks: guaranteed loans, their cash (outside the programme, may go negative), income, losses.
  ['bank_loans_receivable', `^bank:${UUID}:loans_receivable$`, 'bank', 'asset', 'debit', false, 'Guaranteed loans receivable'],
  ['bank_cash', `^bank:${UUID}:cash$`, 'bank', 'asset', 'debit', true, 'Bank cash'],
  ['bank_interest_income', `^bank:${UUID}:interest_income$`, 'bank', 'income', 'credit', false, 'Loan interest income'],
  ['bank_loan_losses', `^bank:${UUID}:loan_losses$`, 'bank', 'expense', 'debit', false, 'Bank share of default losses'],
  // Guarantee company: its guarantee fund, the capital behind it, compensation and recovery.
  ['guarantee_fund', `^guarantor:${UUID}:guarantee_fund$`, 'guarantee_company', 'asset', 'debit', false, 'Guarantee fund deposit'],
  ['guarantee_capital', `^guarantor:${UUID}:capital$`, 'guarantee_company', 'equity', 'credit', false, 'Guarantee fund capital contributed'],
  ['compensation_receivable', `^guarantor:${UUID}:compensation_receivable$`, 'guarantee_company', 'asset', 'debit', false, 'Compensation paid, recoverable from borrowers'],
  ['recoveries', `^guarantor:${UUID}:recoveries$`, 'guarantee_company', 'income', 'credit', false, 'Recoveries beyond the receivable'],
  ['compensation_losses', `^guarantor:${UUID}:compensation_losses$`, 'guarantee_company', 'expense', 'debit', false, 'Compensation written off'],
  // Off-balance memo pair: guarantees outstanding.
  ['guarantee_commitments', `^guarantor:${UUID}:commitments$`, 'guarantee_company', 'memo', 'debit', false, 'Guarantee commitments outstanding (memo)'],
  ['guarantee_commitments_contra', `^guarantor:${UUID}:commitments_contra$`, 'guarantee_company', 'memo', 'credit', false, 'Guarantee commitments contra (memo)'],
];

/**
 * The lines rule (statement trigger) as first written; a later migration replaces it and restores
 * this text on the way down.
 */
export const LEDGER_LINES_AFTER_INSERT_V1 = `
create function ledger_lines_after_insert() returns trigger language plpgsql as $f$
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
    from (select l.entry_id, count(*) as n, min(l.line_no) = 1 and max(l.line_no) = count(*) as numbered,
                 coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type <> 'memo'), 0) as bal,
                 coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type = 'memo'), 0) as memo,
                 bool_or(e.id is null or e.txid <> cur) as foreign_entry,
                 max(e.reverses_entry_id) as reverses
            from new_lines l
            left join ledger_entries e on e.id = l.entry_id
            left join ledger_accounts a on a.id = l.account_id
           group by l.entry_id) x;
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

/** The posting function as first written; a later migration replaces it and restores this text on the way down. */
export const LEDGER_POST_BATCH_V1 = `
create function ledger_post_batch(
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

  -- 1. Entries; a key that exists already is skipped here and looked up below (a replay).
  with ins as (
    insert into ledger_entries (idempotency_key, posted_on, kind, description, metadata, reverses_entry_id, txid)
    select t.key, t.posted_on, t.kind, coalesce(t.description, ''), coalesce(t.metadata, '{}'::jsonb), t.reverses, v_txid
      from unnest(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses)
           with ordinality as t(key, posted_on, kind, description, metadata, reverses, ord)
     order by t.ord
    on conflict (idempotency_key) do nothing
    returning id, idempotency_key, created_at
  )
  select array_agg(ins.id order by k.ord), array_agg(ins.created_at order by k.ord), array_agg(ins.id is null order by k.ord)
    into v_ids, v_at, v_replayed
    from unnest(p_keys) with ordinality as k(key, ord)
    left join ins on ins.idempotency_key = k.key;

  -- 2. Their lines, addressed by position.
  insert into ledger_lines (entry_id, line_no, account_id, side, amount)
  select v_ids[l.e], l.line_no, a.id, l.side, l.amount
    from unnest(p_line_entry, p_line_no, p_accounts, p_sides, p_amounts) as l(e, line_no, code, side, amount)
    join ledger_accounts a on a.code = l.code
   where not v_replayed[l.e];

  -- 3. Replays: the entry each skipped key already has.
  for k in 1 .. n loop
    if v_replayed[k] then
      select e.id, e.created_at into v_id, v_created from ledger_entries e where e.idempotency_key = p_keys[k];
      if not found then
        perform ledger_fail('LF003', format('idempotency key %s appears twice in one batch', p_keys[k]), '{}');
      end if;
      v_ids[k] := v_id;
      v_at[k] := v_created;
    end if;
  end loop;
  return query select t.ord::integer, t.id, t.replayed, t.at
                 from unnest(v_ids, v_replayed, v_at) with ordinality as t(id, replayed, at, ord);
end $f$;
`;

/** The sealing function as first written; a later migration replaces it and restores this text on the way down. */
export const LEDGER_SEAL_V1 = `
create function ledger_seal(p_limit integer default 10000)
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
  select c.seq, c.hash, e.txid, e.id into v_seq, v_prev, v_txid, v_id
    from ledger_chain c join ledger_entries e on e.id = c.entry_id
   order by c.seq desc limit 1;
  if not found then
    v_seq := 0; v_prev := repeat('0', 64); v_txid := 0; v_id := 0;
  end if;
  v_first_prev := v_prev;
  -- Canonical texts set-based (one pass over the batch's lines), then the chain in order.
  for r in
    with cand as (
      select e as ent, e.id, e.txid
        from ledger_entries e
       where e.txid >= v_txid and (e.txid, e.id) > (v_txid, v_id) and e.txid < v_horizon
       order by e.txid, e.id
       limit greatest(p_limit, 1)
    ), lns as (
      select l.entry_id, string_agg(ledger_canonical_line(l, a.code), '' order by l.line_no) as s
        from ledger_lines l join ledger_accounts a on a.id = l.account_id
       where l.entry_id in (select id from cand)
       group by l.entry_id
    )
    select c.id, ledger_canonical_head(c.ent) || coalesce(lns.s, '') as canon
      from cand c left join lns on lns.entry_id = c.id
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

/**
 * The entries' rules as statement triggers (replaced by the posting function in
 * 20261123000900_ledger_posting_function.ts, whose `down` restores them from here).
 */
export const LEDGER_ENTRIES_TRIGGERS_V1 = `
    -- Writer's txid and time are the real ones, and no entry falls in a closed quarter. (One query
    -- in the common case: statement triggers on transition tables are planned on every call.)
    create function ledger_entries_after_insert() returns trigger language plpgsql as $f$
    declare
      bad record;
      n bigint;
      bad_id bigint;
      cur bigint := pg_current_xact_id()::text::bigint;
    begin
      select count(*),
             min(e.id) filter (where p.quarter is not null or e.txid <> cur or e.created_at <> now())
        into n, bad_id
        from new_entries e
        left join accounting_periods p on p.status = 'closed' and e.posted_on between p.starts_on and p.ends_on;
      if bad_id is not null then
        select e.id, e.posted_on, p.quarter, (e.txid <> cur or e.created_at <> now()) as forged
          into bad
          from new_entries e
          left join accounting_periods p on p.status = 'closed' and e.posted_on between p.starts_on and p.ends_on
         where e.id = bad_id
         limit 1;
        if bad.forged then
          perform ledger_fail('LF006', format('entry %s: txid and created_at are set by the database', bad.id), jsonb_build_object('entryId', bad.id));
        end if;
        perform ledger_fail('LF002', format('period %s is closed: no posting dated %s (post a correction into an open period)', bad.quarter, bad.posted_on),
          jsonb_build_object('quarter', bad.quarter, 'postedOn', bad.posted_on));
      end if;
      perform set_config('loanflow.ledger_pending',
        (coalesce(nullif(current_setting('loanflow.ledger_pending', true), ''), '0')::bigint + n)::text, true);
      return null;
    end $f$;
    create trigger ledger_entries_after_insert after insert on ledger_entries
      referencing new table as new_entries
      for each statement execute function ledger_entries_after_insert();

    -- Commit time: every entry written by this transaction received its lines.
    create function ledger_entries_check() returns trigger language plpgsql as $f$
    declare
      pending bigint := coalesce(nullif(current_setting('loanflow.ledger_pending', true), ''), '0')::bigint;
    begin
      perform set_config('loanflow.ledger_check_queued', '', true);
      if pending <> 0 then
        perform ledger_fail('LF003', format('%s entr%s of this transaction %s no lines; an entry needs at least 2', pending,
          case when pending = 1 then 'y' else 'ies' end, case when pending = 1 then 'has' else 'have' end), '{}');
      end if;
      return null;
    end $f$;
    -- Queued once per transaction (the WHEN condition: built-in calls only, the CASE fixes their
    -- order), not once per entry; the check re-arms the queueing, so entries written after it
    -- (constraints made immediate) queue it again.
    create constraint trigger ledger_entries_balanced after insert on ledger_entries
      deferrable initially deferred for each row
      when (case when current_setting('loanflow.ledger_check_queued', true) = 'y' then false
                 else set_config('loanflow.ledger_check_queued', 'y', true) = 'y' end)
      execute function ledger_entries_check();

`;

const APPEND_ONLY_TABLES = ['ledger_chart', 'ledger_accounts', 'ledger_entries', 'ledger_lines', 'ledger_seals', 'ledger_chain'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function ledger_quarter(d date) returns text language sql immutable strict as
    $f$ select to_char(d, 'YYYY') || 'Q' || to_char(d, 'Q') $f$;

    -- The finance bureau's work closes and reopens quarters here; postings check it.
    create table accounting_periods (
      quarter text primary key check (quarter ~ '^[0-9]{4}Q[1-4]$'),
      status text not null default 'open' check (status in ('open', 'closed')),
      closed_at timestamptz,
      closed_by uuid,
      updated_at timestamptz not null default now(),
      -- The quarter's first and last day, so a posting's date is compared, not formatted.
      starts_on date generated always as (
        make_date(substr(quarter, 1, 4)::integer, (substr(quarter, 6, 1)::integer - 1) * 3 + 1, 1)) stored,
      ends_on date generated always as (
        make_date(substr(quarter, 1, 4)::integer + (substr(quarter, 6, 1) = '4')::integer,
                  case substr(quarter, 6, 1) when '4' then 1 else substr(quarter, 6, 1)::integer * 3 + 1 end, 1) - 1) stored,
      check (status = 'open' or closed_at is not null)
    );

    create table funds (
      id uuid primary key default gen_random_uuid(),
      year integer not null check (year between 2000 and 2200),
      finance_bureau_org_id uuid not null references organisations(id),
      name text not null check (length(name) between 1 and 200),
      created_at timestamptz not null default now(),
      unique (finance_bureau_org_id, year)
    );

    create table ledger_chart (
      kind text primary key,
      code_pattern text not null unique,
      entity text check (entity in ('fund','bank','guarantee_company','finance_bureau')),
      type text not null check (type in ('asset','liability','equity','income','expense','memo')),
      normal_side text not null check (normal_side in ('debit','credit')),
      allow_negative boolean not null,
      name text not null,
      check (type = 'memo'
        or (type in ('asset','expense') and normal_side = 'debit')
        or (type in ('liability','equity','income') and normal_side = 'credit'))
    );

    create table ledger_accounts (
      id bigint generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z_]+(:[A-Za-z0-9_-]+)+$' and length(code) <= 200),
      kind text not null references ledger_chart(kind),
      type text not null,
      normal_side text not null,
      allow_negative boolean not null,
      name text not null,
      created_at timestamptz not null default now()
    );

    -- One row per account, kept by the lines trigger: the row that is locked for balance rules.
    create table ledger_balances (
      account_id bigint primary key references ledger_accounts(id),
      normal_side text not null check (normal_side in ('debit','credit')),
      allow_negative boolean not null,
      debit_total numeric(20,2) not null default 0,
      credit_total numeric(20,2) not null default 0,
      version bigint not null default 0,
      last_entry_id bigint,
      updated_at timestamptz not null default now(),
      constraint ledger_balances_non_negative check (allow_negative or
        (case normal_side when 'debit' then debit_total - credit_total else credit_total - debit_total end) >= 0)
    );

    create table ledger_entries (
      id bigint generated always as identity primary key,
      idempotency_key text not null check (length(idempotency_key) between 1 and 255),
      posted_on date not null,
      kind text not null check (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
      description text not null default '' check (length(description) <= 1000),
      metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
      -- No foreign key: the lines trigger compares a reversal with its original's lines, which
      -- refuses a reversal of an entry that does not exist (and costs nothing for other entries).
      reverses_entry_id bigint,
      -- The writing transaction (checked, never taken from the client): lines may only join an
      -- entry of their own transaction, and the sealer only chains entries whose transaction ended.
      txid bigint not null default (pg_current_xact_id()::text::bigint),
      created_at timestamptz not null default now(),
      constraint ledger_entries_idempotency_key_key unique (idempotency_key),
      check (reverses_entry_id is null or reverses_entry_id <> id)
    );
    -- An entry is reversed at most once.
    create unique index ledger_entries_reverses_once on ledger_entries (reverses_entry_id) where reverses_entry_id is not null;
    -- Business dates follow insertion order closely (back-dating is bounded), so a BRIN index
    -- serves date ranges at a fraction of a B-tree's cost per insert.
    create index ledger_entries_posted_on on ledger_entries using brin (posted_on);
    -- Append-only, so physical order follows insertion: BRIN serves the sealer's "recent txids"
    -- scans for next to nothing per insert.
    create index ledger_entries_txid on ledger_entries using brin (txid);

    -- entry_id and account_id are checked set-based by the lines trigger (the entry exists and was
    -- written by the same transaction; the account exists), once per statement rather than by two
    -- per-row foreign-key probes; rows are never deleted, so nothing can dangle later.
    create table ledger_lines (
      entry_id bigint not null,
      line_no smallint not null check (line_no > 0),
      account_id bigint not null,
      side text not null check (side in ('debit','credit')),
      amount numeric(18,2) not null check (amount > 0),
      primary key (entry_id, line_no)
    );
    create index ledger_lines_account on ledger_lines (account_id, entry_id);

    -- Hash chain, sealed in batches after commit.
    create table ledger_seals (
      id bigint generated always as identity primary key,
      first_seq bigint not null,
      last_seq bigint not null,
      entries integer not null check (entries > 0),
      prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
      head_hash text not null check (head_hash ~ '^[0-9a-f]{64}$'),
      sealed_at timestamptz not null default now(),
      sealed_by text not null default current_user,
      check (last_seq - first_seq + 1 = entries)
    );
    create table ledger_chain (
      seq bigint primary key check (seq > 0),
      entry_id bigint not null unique references ledger_entries(id),
      seal_id bigint not null references ledger_seals(id),
      prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
      hash text not null check (hash ~ '^[0-9a-f]{64}$')
    );
  `);

  for (const [kind, pattern, entity, type, side, allowNegative, name] of CHART) {
    await knex('ledger_chart').insert({ kind, code_pattern: pattern, entity, type, normal_side: side, allow_negative: allowNegative, name });
  }

  // ---- append-only ----------------------------------------------------------------------------
  await knex.raw(`
    -- Every refusal of the ledger: a stable SQLSTATE (LFxxx) and a JSON detail that repeats the
    -- message, so clients read it intact whatever their driver does to the error message.
    create function ledger_fail(p_code text, p_message text, p_detail jsonb default '{}') returns void
    language plpgsql as $f$
    begin
      raise exception using errcode = p_code, message = p_message,
        detail = (coalesce(p_detail, '{}'::jsonb) || jsonb_build_object('message', p_message))::text;
    end $f$;

    create function ledger_refuse_change() returns trigger language plpgsql as $f$
    begin
      perform ledger_fail('LF006', format('%s is append-only: %s refused (a correction is a reversal entry)', tg_table_name, lower(tg_op)), '{}');
    end $f$;
  `);
  for (const t of APPEND_ONLY_TABLES) {
    await knex.raw(`
      create trigger ${t}_append_only before update or delete on ${t} for each row execute function ledger_refuse_change();
      create trigger ${t}_no_truncate before truncate on ${t} for each statement execute function ledger_refuse_change();
    `);
  }

  // Balances change only from inside the ledger's own triggers (depth ≥ 2), never directly.
  await knex.raw(`
    create function ledger_balances_guard() returns trigger language plpgsql as $f$
    begin
      perform ledger_fail('LF006', format('ledger_balances is maintained by the ledger itself: direct %s refused', lower(tg_op)), '{}');
    end $f$;
    -- The condition is evaluated without calling any function, so the ledger's own updates
    -- (from inside its triggers, depth ≥ 1 when the condition is evaluated) cost nothing here.
    create trigger ledger_balances_guard before insert or update on ledger_balances
      for each row when (pg_trigger_depth() = 0) execute function ledger_balances_guard();
    create trigger ledger_balances_no_delete before delete on ledger_balances
      for each row execute function ledger_balances_guard();
    create trigger ledger_balances_no_truncate before truncate on ledger_balances
      for each statement execute function ledger_refuse_change();
  `);

  // Funds: identity columns fixed, never deleted (their accounts point at them).
  await knex.raw(`
    create function funds_guard() returns trigger language plpgsql as $f$
    begin
      if tg_op = 'UPDATE' and (new.id, new.year, new.finance_bureau_org_id) = (old.id, old.year, old.finance_bureau_org_id) then
        return new;
      end if;
      perform ledger_fail('LF006', format('funds: %s refused (only the name may change)', lower(tg_op)), '{}');
    end $f$;
    create trigger funds_guard before update or delete on funds for each row execute function funds_guard();
    create trigger funds_no_truncate before truncate on funds for each statement execute function ledger_refuse_change();
  `);

  // Periods: closing waits for postings in flight, then blocks new ones until the close commits,
  // so no entry can slip into a quarter between the check and the close. Rows are never deleted.
  await knex.raw(`
    create function accounting_periods_guard() returns trigger language plpgsql as $f$
    begin
      if tg_op = 'DELETE' then
        perform ledger_fail('LF006', 'accounting_periods: delete refused (reopen a quarter instead)', '{}');
      end if;
      if tg_op = 'UPDATE' and new.quarter <> old.quarter then
        perform ledger_fail('LF006', 'accounting_periods: the quarter of a row cannot change', '{}');
      end if;
      if new.status = 'closed' and (tg_op = 'INSERT' or old.status <> 'closed') then
        lock table ledger_entries in share mode;
      end if;
      new.updated_at := now();
      return new;
    end $f$;
    create trigger accounting_periods_guard before insert or update or delete on accounting_periods
      for each row execute function accounting_periods_guard();
    create trigger accounting_periods_no_truncate before truncate on accounting_periods
      for each statement execute function ledger_refuse_change();
  `);

  // ---- accounts: created on demand from the chart --------------------------------------------
  await knex.raw(`
    create function ledger_accounts_before_insert() returns trigger language plpgsql as $f$
    declare
      c ledger_chart;
      n integer;
      ref text := split_part(new.code, ':', 2);
    begin
      select count(*) into n from ledger_chart where new.code ~ code_pattern;
      if n <> 1 then
        perform ledger_fail('LF005', format('account code %s matches %s kinds of the chart (must match exactly one)', new.code, n), jsonb_build_object('account', new.code));
      end if;
      select * into c from ledger_chart where new.code ~ code_pattern;
      if c.entity = 'fund' then
        if not exists (select 1 from funds f where f.id = ref::uuid) then
          perform ledger_fail('LF005', format('account %s: fund %s does not exist', new.code, ref), jsonb_build_object('account', new.code));
        end if;
      elsif c.entity is not null then
        if not exists (select 1 from organisations o where o.id = ref::uuid and o.type = c.entity) then
          perform ledger_fail('LF005', format('account %s: no %s organisation %s', new.code, c.entity, ref), jsonb_build_object('account', new.code));
        end if;
      end if;
      new.kind := c.kind;
      new.type := c.type;
      new.normal_side := c.normal_side;
      new.allow_negative := c.allow_negative;
      new.name := c.name;
      new.created_at := now();
      return new;
    end $f$;
    create trigger ledger_accounts_before_insert before insert on ledger_accounts
      for each row execute function ledger_accounts_before_insert();

    create function ledger_accounts_after_insert() returns trigger language plpgsql as $f$
    begin
      insert into ledger_balances (account_id, normal_side, allow_negative) values (new.id, new.normal_side, new.allow_negative);
      return null;
    end $f$;
    create trigger ledger_accounts_after_insert after insert on ledger_accounts
      for each row execute function ledger_accounts_after_insert();
  `);

  // ---- entries and lines: set-based rules, once per statement -----------------------------------
  //
  // An entry's lines arrive in ONE statement, numbered 1..n (checked below); with the primary key
  // (entry_id, line_no) that means no line can ever be added to an entry afterwards. So every rule
  // about an entry's lines is checked once, on that statement's transition table: ≥ 2 lines,
  // balanced, a reversal mirrors its original. What is left for commit time is "every entry got its
  // lines": a per-transaction counter (entries written − entries given lines) that must be 0.
  await knex.raw(`
    ${LEDGER_ENTRIES_TRIGGERS_V1}
    ${LEDGER_LINES_AFTER_INSERT_V1}
    create trigger ledger_lines_after_insert after insert on ledger_lines
      referencing new table as new_lines
      for each statement execute function ledger_lines_after_insert();
  `);

  // ---- posting: one round trip for one entry or a batch ------------------------------------------
  await knex.raw(`
    -- Posts entries given as parallel arrays; lines carry the 1-based index of their entry and
    -- their number within it (1..n). A key posted before is not written again: its row comes back
    -- with was_replayed = true (keys must be distinct within a batch). A batch is atomic; its
    -- balance rules apply to its total effect.
    ${LEDGER_POST_BATCH_V1}
  `);

  // ---- sealing: chain committed entries in batches ----------------------------------------------
  await knex.raw(`
    create function ledger_field(v text) returns text language sql immutable as
    $f$ select case when v is null then '~' else octet_length(v)::text || ':' || v end $f$;

    -- Canonical content of an entry: its fields, then its lines in order, each field length-prefixed
    -- (so no separator can be forged). db/ledger/verify.ts rebuilds the same bytes independently.
    create function ledger_canonical_head(e ledger_entries) returns text language sql stable as $f$
      select 'E' || ledger_field(e.id::text) || ledger_field(e.idempotency_key)
             || ledger_field(to_char(e.posted_on, 'YYYY-MM-DD')) || ledger_field(e.kind) || ledger_field(e.description)
             || ledger_field(e.reverses_entry_id::text) || ledger_field(e.metadata::text)
             || ledger_field(to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    $f$;
    create function ledger_canonical_line(l ledger_lines, code text) returns text language sql immutable as $f$
      select 'L' || ledger_field(l.line_no::text) || ledger_field(code) || ledger_field(l.side) || ledger_field(l.amount::text)
    $f$;
    create function ledger_entry_canonical(p_id bigint) returns text language sql stable as $f$
      select ledger_canonical_head(e)
             || coalesce((select string_agg(ledger_canonical_line(l, a.code), '' order by l.line_no)
                            from ledger_lines l join ledger_accounts a on a.id = l.account_id
                           where l.entry_id = e.id), '')
        from ledger_entries e where e.id = p_id
    $f$;

    -- Chains, in (txid, id) order, the entries whose writing transaction has ended: anything below
    -- the snapshot's xmin is finished, so no entry can later appear before the chain's end.
    -- Writers never touch the chain; only sealers queue, on an advisory lock.
    ${LEDGER_SEAL_V1}
  `);

  // ---- fund status ----------------------------------------------------------------------------------
  await knex.raw(`
    -- budget = allocated; available and reserved are held by the fund; paid = what has left it.
    create function ledger_fund_status(p_fund uuid)
    returns table (id uuid, year integer, budget numeric, reserved numeric, paid numeric, available numeric)
    language sql stable as $f$
      with b as (
        select a.kind,
               case bl.normal_side when 'debit' then bl.debit_total - bl.credit_total else bl.credit_total - bl.debit_total end as bal
          from ledger_accounts a join ledger_balances bl on bl.account_id = a.id
         where a.code in ('fund:' || p_fund || ':budget', 'fund:' || p_fund || ':available', 'fund:' || p_fund || ':reserved')
      ), s as (
        select coalesce(sum(bal) filter (where kind = 'fund_budget'), 0)::numeric(20,2) as budget,
               coalesce(sum(bal) filter (where kind = 'fund_available'), 0)::numeric(20,2) as available,
               coalesce(sum(bal) filter (where kind = 'fund_reserved'), 0)::numeric(20,2) as reserved
          from b
      )
      select f.id, f.year, s.budget, s.reserved, (s.budget - s.available - s.reserved)::numeric(20,2), s.available
        from funds f cross join s where f.id = p_fund
    $f$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function if exists ledger_fund_status(uuid);
    drop function if exists ledger_seal(integer);
    drop function if exists ledger_post_batch(text[], date[], text[], text[], jsonb[], bigint[], integer[], integer[], text[], text[], numeric[]);
    drop table if exists ledger_chain, ledger_seals, ledger_lines, ledger_balances, ledger_entries, ledger_accounts, ledger_chart, funds, accounting_periods cascade;
    drop function if exists ledger_entry_canonical(bigint);
    drop function if exists ledger_canonical_line(ledger_lines, text);
    drop function if exists ledger_canonical_head(ledger_entries);
    drop function if exists ledger_field(text);
    drop function if exists ledger_lines_after_insert();
    drop function if exists ledger_entries_check();
    drop function if exists ledger_entries_after_insert();
    drop function if exists ledger_accounts_after_insert();
    drop function if exists ledger_accounts_before_insert();
    drop function if exists accounting_periods_guard();
    drop function if exists funds_guard();
    drop function if exists ledger_balances_guard();
    drop function if exists ledger_refuse_change();
    drop function if exists ledger_quarter(date);
    drop function if exists ledger_fail(text, text, jsonb);
  `);
}
