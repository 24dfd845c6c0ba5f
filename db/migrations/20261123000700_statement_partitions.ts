import type { Knex } from 'knex';
import { STATEMENT_LINES_COLUMNS } from './20261123000300_finance';

/**
 * A statement's lines are loaded into a table of their own, then attached as a partition of
 * statement_lines (issue 7's bench: a million-line import within 3 × a plain COPY).
 *
 * Loading a million rows into the shared table kept its primary key in step row by row and copied
 * every row into a transition table for the "only while importing" check: 5.9–6.2 s here, against
 * 3.4–3.8 s for the same rows COPY'd into an empty table of the same columns and CHECKs whose key
 * is then built in one sorted pass. So statement_lines is partitioned by reconciliation: the
 * importer asks `statement_lines_begin` for an empty table of the reconciliation's own, COPYs into
 * it, and `statement_lines_finish` builds its primary key and attaches it — all inside the import's
 * transaction, so a failed import leaves no table behind. Readers see one table, as before.
 *
 * The rules stay the database's: every CHECK of the parent is on each partition (ATTACH requires
 * it); a partition refuses rows once its reconciliation is no longer importing (a statement trigger
 * that reads one row, instead of a transition table of a million); the parent's append-only
 * triggers are cloned onto every partition; TRUNCATE is refused on each. The application's role
 * creates no table itself: the two functions run as their owner, and only for a reconciliation that
 * is importing; it may insert into its partition only between the two.
 */

/** The partition maker as first written; a later migration replaces it and restores this on the way down. */
export const STATEMENT_LINES_NEW_PARTITION_V1 = `
    -- The empty, unattached table (as whoever calls it: from statement_lines_begin, the owner).
    create function statement_lines_new_partition(p_reconciliation uuid) returns text language plpgsql as $f$
    declare
      t text := statement_lines_partition(p_reconciliation);
    begin
      execute format('create table public.%I (like public.statement_lines including constraints including defaults)', t);
      -- The partition's bound as a CHECK: ATTACH then need not read the rows to prove it.
      execute format('alter table public.%I add constraint bound check (reconciliation_id = %L::uuid)', t, p_reconciliation);
      execute format('create trigger no_truncate before truncate on public.%I for each statement execute function public.loanflow_refuse_change()', t);
      return t;
    end $f$;
`;

const PLAIN_TRIGGERS = `
    create trigger statement_lines_while_importing after insert on statement_lines
      referencing new table as new_rows for each statement execute function finance_rows_while_importing();
    create trigger statement_lines_append_only before update or delete on statement_lines for each row execute function loanflow_refuse_change();
    create trigger statement_lines_no_truncate before truncate on statement_lines for each statement execute function loanflow_refuse_change();`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table statement_lines rename to statement_lines_unpartitioned;
    alter index statement_lines_pkey rename to statement_lines_unpartitioned_pkey;

    create table statement_lines (${STATEMENT_LINES_COLUMNS}
    ) partition by list (reconciliation_id);
    -- Rows inserted through the parent (never the importer's way) are checked as before.
    ${PLAIN_TRIGGERS}

    create function statement_lines_partition(p_reconciliation uuid) returns text language sql immutable
      as $f$ select 'statement_lines_' || replace(p_reconciliation::text, '-', '') $f$;

    -- A partition's rows are added only while its reconciliation is importing (tg_argv[0]).
    create function statement_lines_while_open() returns trigger language plpgsql as $f$
    declare
      v_status text;
    begin
      select r.status into v_status from reconciliations r where r.id = tg_argv[0]::uuid;
      if v_status is distinct from 'importing' then
        raise exception '%: rows are added only while their reconciliation is importing (reconciliation %: %)',
          tg_table_name, tg_argv[0], coalesce(v_status, 'does not exist')
          using errcode = 'insufficient_privilege';
      end if;
      return null;
    end $f$;

    ${STATEMENT_LINES_NEW_PARTITION_V1}
    create function statement_lines_begin(p_reconciliation uuid) returns text language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $f$
    declare
      t text;
    begin
      perform 1 from public.reconciliations r where r.id = p_reconciliation and r.status = 'importing';
      if not found then
        raise exception 'statement_lines_begin: reconciliation % is not importing', p_reconciliation using errcode = 'insufficient_privilege';
      end if;
      t := public.statement_lines_new_partition(p_reconciliation);
      execute format('create trigger while_importing after insert on public.%I for each statement execute function public.statement_lines_while_open(%L)', t, p_reconciliation);
      if session_user <> current_user then
        execute format('grant insert on public.%I to %I', t, session_user);
      end if;
      return t;
    end $f$;

    create function statement_lines_finish(p_reconciliation uuid) returns void language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $f$
    declare
      t text := public.statement_lines_partition(p_reconciliation);
    begin
      perform 1 from public.reconciliations r where r.id = p_reconciliation and r.status = 'importing';
      if not found then
        raise exception 'statement_lines_finish: reconciliation % is not importing', p_reconciliation using errcode = 'insufficient_privilege';
      end if;
      execute format('alter table public.%I add primary key (reconciliation_id, line_no)', t);
      execute format('alter table public.statement_lines attach partition public.%I for values in (%L)', t, p_reconciliation);
      if session_user <> current_user then
        execute format('revoke insert on public.%I from %I', t, session_user);
      end if;
    end $f$;
  `);

  // Statements imported before: each becomes a partition of its own, as if imported now.
  const { rows } = await knex.raw('select distinct reconciliation_id as id from statement_lines_unpartitioned');
  for (const { id } of rows as Array<{ id: string }>) {
    const { rows: made } = await knex.raw('select statement_lines_new_partition(?::uuid) as t', [id]);
    const t = made[0].t as string;
    await knex.raw(`insert into "${t}" select * from statement_lines_unpartitioned where reconciliation_id = ?::uuid`, [id]);
    await knex.raw(`create trigger while_importing after insert on "${t}" for each statement execute function statement_lines_while_open('${id}')`);
    await knex.raw(`alter table "${t}" add primary key (reconciliation_id, line_no)`);
    await knex.raw(`alter table statement_lines attach partition "${t}" for values in ('${id}')`);
  }
  // DROP fires no trigger: the table's append-only rule does not stand in the way.
  await knex.raw('drop table statement_lines_unpartitioned');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table statement_lines rename to statement_lines_partitioned;
    alter index statement_lines_pkey rename to statement_lines_partitioned_pkey;
    create table statement_lines (${STATEMENT_LINES_COLUMNS}
    );
    insert into statement_lines select * from statement_lines_partitioned;
    ${PLAIN_TRIGGERS}
    drop table statement_lines_partitioned cascade;
    drop function statement_lines_finish(uuid);
    drop function statement_lines_begin(uuid);
    drop function statement_lines_new_partition(uuid);
    drop function statement_lines_while_open();
    drop function statement_lines_partition(uuid);
  `);
}
