import type { Knex } from 'knex';

/**
 * No function of the schema resolves a name through the caller's temporary schema.
 *
 * PostgreSQL searches `pg_temp` FIRST for tables unless a search_path names it, so a function whose
 * path was `pg_catalog, public` read a temporary table of the caller's instead of ours when it
 * had the same name: the application's role could shadow `accounting_periods` and post into a
 * closed quarter through the SECURITY DEFINER posting function, or shadow `ledger_balances` and
 * overdraw a fund. Every function of the schema now runs with `pg_catalog, public, pg_temp`
 * (pg_temp last, where it can shadow nothing that exists), the application's role may no longer
 * create temporary tables at all (db/app-role.ts), and a test reads the catalogue so a function
 * added later without the setting fails the suite (docs/security.md).
 *
 * The exceptions are IMMUTABLE SQL functions: PostgreSQL forbids them to read tables, so there is
 * nothing to shadow, and a SET clause would stop the planner from inlining them into the ledger's
 * queries.
 *
 * The reconciliation import staged its mismatches in a temporary table; they now go through
 * `reconciliation_item_stage`, a table of the schema (unlogged: its rows live only inside an
 * import's transaction).
 */
export const PINNED_SEARCH_PATH = 'pg_catalog, public, pg_temp';

const UNPINNED = `
  select p.oid::regprocedure as fn
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
    join pg_language l on l.oid = p.prolang
   where l.lanname in ('plpgsql', 'sql')
     and not (l.lanname = 'sql' and p.provolatile = 'i')
     and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    do $$
    declare f record;
    begin
      for f in ${UNPINNED} loop
        execute format('alter function %s set search_path = ${PINNED_SEARCH_PATH}', f.fn);
      end loop;
    end $$;

    create unlogged table reconciliation_item_stage (
      reconciliation_id uuid not null,
      ord integer not null,
      line_no integer,
      kind text not null,
      entry_id bigint,
      claim_id uuid,
      reference text
    );
    create index reconciliation_item_stage_rec on reconciliation_item_stage (reconciliation_id, ord);
  `);
}

/** Functions that had a search_path of their own before: theirs comes back on the way down. */
const PINNED_BEFORE = ['ledger_post_batch', 'accounting_periods_guard', 'statement_lines_begin', 'statement_lines_finish'];

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table reconciliation_item_stage;
    do $$
    declare f record;
    begin
      for f in ${UNPINNED} and p.proname not in (${PINNED_BEFORE.map((n) => `'${n}'`).join(', ')}) loop
        execute format('alter function %s reset search_path', f.fn);
      end loop;
    end $$;
    alter function ledger_post_batch(text[], date[], text[], text[], jsonb[], bigint[], integer[], integer[], text[], text[], numeric[])
      set search_path = pg_catalog, public;
    alter function accounting_periods_guard() set search_path = pg_catalog, public;
    alter function statement_lines_begin(uuid) set search_path = pg_catalog, public, pg_temp;
    alter function statement_lines_finish(uuid) set search_path = pg_catalog, public, pg_temp;
  `);
}
