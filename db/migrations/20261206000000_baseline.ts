import type { Knex } from 'knex';
import { baselineSql } from '../baseline';

/**
 * The baseline: every table as of the squash (the SQL beside this file). The functions and
 * triggers come after the migrations, from db/sql (docs/adr/0001-sql-as-sql.md).
 */
export async function up(knex: Knex): Promise<void> {
  // Knex would read each `?` as a bind parameter; `\?` stays a question mark.
  await knex.raw(baselineSql().replace(/\?/g, '\\?'));
}

/**
 * Leaves the schema empty: every table, and every function, trigger and view of db/sql with the
 * record of their files (the next migrateLatest applies them all again). Extensions stay, as other
 * objects of the database may use them.
 */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    do $$
    declare o record;
    begin
      for o in select c.oid::regclass as t from pg_class c
                where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v') and not c.relispartition
                  and c.relname not in ('knex_migrations', 'knex_migrations_lock')
                  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e') loop
        execute format('drop %s if exists %s cascade', case when (select relkind from pg_class where oid = o.t) = 'v' then 'view' else 'table' end, o.t);
      end loop;
      for o in select p.oid::regprocedure as f from pg_proc p
                where p.pronamespace = 'public'::regnamespace
                  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e') loop
        execute format('drop function if exists %s cascade', o.f);
      end loop;
    end $$;
  `);
}
