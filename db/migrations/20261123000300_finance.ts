import type { Knex } from 'knex';

/**
 * The finance bureau's own records (SPEC §1 step 8): bank statements of subsidy receipts, their
 * reconciliation against the ledger's payouts, the resolution of each mismatch, and the history of
 * quarters closed and reopened.
 *
 * What the database guarantees, whatever the client:
 * - statement lines and mismatch items are written only while their reconciliation is importing
 *   (one transaction); after that they, and the resolutions, are append-only: a mismatch is
 *   resolved by a new row (an explanation, or the id of a reversal entry that reverses exactly the
 *   item's payout), never by editing;
 * - a reconciliation moves once, from importing to imported, and nothing else of it changes;
 * - nothing of a closed quarter changes: no reconciliation is imported for it and no mismatch of it
 *   is resolved while it is closed (the ledger itself refuses postings into it).
 */
/** statement_lines' columns and constraints (also the partitioned table's: 20261123000700). */
export const STATEMENT_LINES_COLUMNS = `
      reconciliation_id uuid not null,
      -- The line of the file (CSV: physical line, the header being line 1; XLSX: the row number).
      line_no integer not null check (line_no > 1),
      value_date date not null,
      reference text not null check (length(reference) between 1 and 100),
      amount numeric(18,2) not null check (amount > 0),
      description text not null default '' check (length(description) <= 500),
      outcome text not null check (outcome in ('matched','missing_in_ledger','amount_differs','date_differs','duplicated')),
      payout_entry_id bigint,
      primary key (reconciliation_id, line_no),
      check ((outcome = 'missing_in_ledger') = (payout_entry_id is null) or outcome = 'duplicated')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function finance_quarter_open(p_quarter text) returns void language plpgsql as $f$
    begin
      if exists (select 1 from accounting_periods where quarter = p_quarter and status = 'closed') then
        raise exception 'quarter % is closed: its reconciliations can no longer change (reopen it first)', p_quarter
          using errcode = 'FN001';
      end if;
    end $f$;

    create table reconciliations (
      id uuid primary key,
      -- Orders the imports of one bank and quarter: the newest one is the one that counts.
      seq bigint generated always as identity unique,
      bank_id uuid not null references organisations(id),
      quarter text not null check (quarter ~ '^[0-9]{4}Q[1-4]$'),
      source_format text not null check (source_format in ('csv', 'xlsx')),
      file_name text not null check (length(file_name) between 1 and 255),
      -- Known once the whole file has been read: set by the importing → imported step.
      file_sha256 text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
      status text not null check (status in ('importing', 'imported')),
      line_count integer,
      statement_total numeric(20,2),
      payout_count integer,
      payout_total numeric(20,2),
      matched integer,
      missing_in_ledger integer,
      missing_in_statement integer,
      amount_differs integer,
      date_differs integer,
      duplicated integer,
      imported_by uuid not null references users(id),
      imported_at timestamptz not null default now(),
      request_id text,
      check (status = 'importing' or (line_count is not null and statement_total is not null and payout_count is not null
        and payout_total is not null and matched is not null and missing_in_ledger is not null and missing_in_statement is not null
        and amount_differs is not null and date_differs is not null and duplicated is not null))
    );
    create index reconciliations_bank_quarter on reconciliations (bank_id, quarter, seq);
    create index reconciliations_quarter on reconciliations (quarter, seq);

    create function reconciliations_guard() returns trigger language plpgsql as $f$
    begin
      if tg_op = 'INSERT' then
        if new.status <> 'importing' then
          raise exception 'reconciliations: a reconciliation starts as importing' using errcode = 'insufficient_privilege';
        end if;
        perform finance_quarter_open(new.quarter);
        return new;
      end if;
      if tg_op = 'UPDATE' and old.status = 'importing' and new.status = 'imported'
         and (new.id, new.seq, new.bank_id, new.quarter, new.source_format, new.file_name, new.imported_by, new.imported_at, new.request_id)
             is not distinct from (old.id, old.seq, old.bank_id, old.quarter, old.source_format, old.file_name, old.imported_by, old.imported_at, old.request_id) then
        return new;
      end if;
      raise exception 'reconciliations: % refused (a reconciliation is final once imported; import the statement again instead)', lower(tg_op)
        using errcode = 'insufficient_privilege';
    end $f$;
    create trigger reconciliations_guard before insert or update or delete on reconciliations
      for each row execute function reconciliations_guard();
    create trigger reconciliations_no_truncate before truncate on reconciliations
      for each statement execute function loanflow_refuse_change();

    -- No per-row foreign key: a million-line statement is checked once per statement by the
    -- trigger below (its reconciliation exists and is importing), and rows are never deleted.
    create table statement_lines (${STATEMENT_LINES_COLUMNS}
    );

    create table reconciliation_items (
      reconciliation_id uuid not null references reconciliations(id),
      item_no integer not null check (item_no > 0),
      kind text not null check (kind in ('missing_in_ledger','missing_in_statement','amount_differs','date_differs','duplicated')),
      line_no integer,
      payout_entry_id bigint references ledger_entries(id),
      claim_id uuid,
      note text,
      primary key (reconciliation_id, item_no),
      unique (reconciliation_id, line_no),
      check ((kind = 'missing_in_statement') = (line_no is null)),
      check (kind not in ('missing_in_statement','amount_differs','date_differs') or payout_entry_id is not null)
    );

    create function finance_rows_while_importing() returns trigger language plpgsql as $f$
    declare
      bad record;
    begin
      select n.reconciliation_id, r.status into bad
        from (select distinct reconciliation_id from new_rows) n
        left join reconciliations r on r.id = n.reconciliation_id
       where r.status is distinct from 'importing'
       limit 1;
      if found then
        raise exception '%: rows are added only while their reconciliation is importing (reconciliation %: %)',
          tg_table_name, bad.reconciliation_id, coalesce(bad.status, 'does not exist')
          using errcode = 'insufficient_privilege';
      end if;
      return null;
    end $f$;
    create trigger statement_lines_while_importing after insert on statement_lines
      referencing new table as new_rows for each statement execute function finance_rows_while_importing();
    create trigger reconciliation_items_while_importing after insert on reconciliation_items
      referencing new table as new_rows for each statement execute function finance_rows_while_importing();

    create table reconciliation_resolutions (
      reconciliation_id uuid not null,
      item_no integer not null,
      kind text not null check (kind in ('explanation', 'reversal')),
      reason text not null check (length(btrim(reason)) between 3 and 2000),
      reversal_entry_id bigint references ledger_entries(id),
      resolved_by uuid not null references users(id),
      resolved_role text not null,
      resolved_at timestamptz not null default now(),
      request_id text,
      primary key (reconciliation_id, item_no),
      foreign key (reconciliation_id, item_no) references reconciliation_items (reconciliation_id, item_no),
      check ((kind = 'reversal') = (reversal_entry_id is not null))
    );

    create function reconciliation_resolutions_check() returns trigger language plpgsql as $f$
    declare
      v_quarter text;
      v_payout bigint;
    begin
      select r.quarter, i.payout_entry_id into v_quarter, v_payout
        from reconciliation_items i join reconciliations r on r.id = i.reconciliation_id
       where i.reconciliation_id = new.reconciliation_id and i.item_no = new.item_no;
      perform finance_quarter_open(v_quarter);
      if new.kind = 'reversal' and not exists (
        select 1 from ledger_entries e where e.id = new.reversal_entry_id and e.reverses_entry_id = v_payout) then
        raise exception 'reconciliation_resolutions: entry % does not reverse the payout entry % of this item', new.reversal_entry_id, v_payout
          using errcode = 'FN002';
      end if;
      return new;
    end $f$;
    create trigger reconciliation_resolutions_check before insert on reconciliation_resolutions
      for each row execute function reconciliation_resolutions_check();

    -- Who closed or reopened which quarter, and why (the audit log has the same, with the request).
    create table accounting_period_events (
      id bigint generated always as identity primary key,
      quarter text not null check (quarter ~ '^[0-9]{4}Q[1-4]$'),
      action text not null check (action in ('close', 'reopen')),
      reason text,
      by_user_id uuid not null references users(id),
      by_role text not null,
      at timestamptz not null default now(),
      request_id text,
      check (action = 'close' or length(btrim(coalesce(reason, ''))) >= 3)
    );
    create index accounting_period_events_quarter on accounting_period_events (quarter, id);
  `);
  for (const t of ['statement_lines', 'reconciliation_items', 'reconciliation_resolutions', 'accounting_period_events']) {
    await knex.raw(`
      create trigger ${t}_append_only before update or delete on ${t} for each row execute function loanflow_refuse_change();
      create trigger ${t}_no_truncate before truncate on ${t} for each statement execute function loanflow_refuse_change();
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table if exists accounting_period_events, reconciliation_resolutions, reconciliation_items, statement_lines, reconciliations cascade;
    drop function if exists reconciliation_resolutions_check();
    drop function if exists finance_rows_while_importing();
    drop function if exists reconciliations_guard();
    drop function if exists finance_quarter_open(text);
  `);
}
