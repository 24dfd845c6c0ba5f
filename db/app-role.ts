import type { Knex } from 'knex';
import { SQL_FILES_TABLE } from './sql-files';

/**
 * The application's own PostgreSQL role. The API, the worker and the CLI connect as it; only
 * migrations run as the schema's owner. It may read and write rows, and nothing else: it owns no
 * table, so it cannot disable the ledger's triggers, switch them off with
 * `session_replication_role`, TRUNCATE, or change the schema. Where a table's triggers always
 * refuse UPDATE or DELETE (the append-only tables), the privilege itself is withheld too, so the
 * refusal holds even if a trigger were ever dropped; so is INSERT (or DELETE) where only the
 * schema's own function may write (the ledger's entries, lines, accounts and balances: its posting
 * function; seals: ledger_seal; a quarter's events: period_close and period_reopen; deleting an
 * idempotency key: idempotency_key_release and idempotency_keys_purge). EXECUTE is withheld on the
 * few functions only the owner runs (OWNER_ONLY_EXECUTE).
 */
export interface AppRole {
  name: string;
  password: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Functions whose triggers refuse a change outright (no WHEN condition, no exception). */
const REFUSING_FUNCTIONS = ['ledger_refuse_change', 'loanflow_refuse_change', 'ledger_balances_guard'];

/**
 * Functions whose triggers refuse a change unless a SECURITY DEFINER function of the schema is
 * making it (their WHEN condition opens only while it runs): the application writes those tables
 * through that function, as the owner, and needs no privilege of its own.
 */
const OWNER_ONLY_FUNCTIONS = ['ledger_refuse_direct_write', 'loanflow_refuse_direct_write', 'loanflow_users_refuse_direct_write'];

/**
 * Tables the application only reads: the migrator's own bookkeeping (and the record of the SQL
 * files applied), and the chart of accounts
 * (which kinds of account exist is the schema's, not the application's: a row added to it could
 * make every new account ambiguous and stop postings).
 */
export const READ_ONLY_TABLES = ['knex_migrations', 'knex_migrations_lock', SQL_FILES_TABLE, 'ledger_chart'];

/**
 * Functions only the schema's owner runs: the ledger's writer itself and the budget's allocation.
 * The application reaches them only through the owner's SECURITY DEFINER functions that check
 * what they do (ledger_post_batch, fund_top_up_approve); docs/security.md.
 */
export const OWNER_ONLY_EXECUTE = ['ledger_post_entries', 'ledger_fund_outflows', 'fund_allocate', 'finance_approver', 'finance_proposal_to_decide'];

/** Server-side large objects: the application stores none, and each is disk it could fill. */
const LARGE_OBJECT_FUNCTIONS = ['lo_create(oid)', 'lo_creat(integer)', 'lo_from_bytea(oid, bytea)', 'lo_import(text)', 'lo_import(text, oid)'];

/** The role and password a postgres:// URL connects with. */
export function appRoleOf(databaseUrl: string): AppRole {
  const u = new URL(databaseUrl);
  return { name: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** The same URL, connecting as `role`. */
export function urlAs(databaseUrl: string, role: AppRole): string {
  const u = new URL(databaseUrl);
  u.username = encodeURIComponent(role.name);
  u.password = encodeURIComponent(role.password);
  return u.toString();
}

/**
 * Creates the role (or sets its password and attributes again) and grants it what the application
 * needs in the current database. Run as the owner after every migration: tables added since get
 * their grants, and the append-only ones lose UPDATE/DELETE. Idempotent.
 */
export async function ensureAppRole(owner: Knex, role: AppRole): Promise<void> {
  if (!ROLE_NAME.test(role.name)) throw new Error(`application role ${JSON.stringify(role.name)}: use lower-case letters, digits and _`);
  // No password: the role signs in some other way (certificate, peer); a short one is a mistake.
  if (role.password !== '' && role.password.length < 8) throw new Error(`application role ${role.name}: its password must have at least 8 characters`);
  const { rows: me } = await owner.raw('select current_user as name, current_database() as db');
  if (me[0].name === role.name) throw new Error(`application role ${role.name} is the migrating role itself: connect the application as a role of its own`);

  // Utility statements take no bind parameters: PostgreSQL's format() quotes the name and password.
  const sql = async (db: Knex, template: string, ...args: string[]) => {
    const { rows } = await db.raw(`select format(?, ${args.map(() => '?::text').join(', ')}) as s`, [template, ...args]);
    await db.raw(rows[0].s);
  };
  const attributes = 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit';
  const exists = (await owner.raw('select 1 from pg_roles where rolname = ?', [role.name])).rows.length > 0;
  if (!exists) {
    try {
      await sql(owner, `create role %I ${attributes}`, role.name);
    } catch (e) {
      // Another process created it meanwhile (roles are cluster-wide; test files share a cluster).
      if ((e as { code?: string }).code !== '42710') throw e;
    }
  }
  // One transaction: the role never holds the broad grant without its exceptions.
  await owner.transaction(async (trx) => {
    await sql(trx, `alter role %I ${attributes}`, role.name);
    if (role.password !== '') await sql(trx, 'alter role %I password %L', role.name, role.password);
    await sql(trx, 'grant connect on database %I to %I', me[0].db, role.name);
    // No temporary tables: a table in pg_temp shadows ours for any function that resolves names
    // through a path where pg_temp is not named last (docs/security.md). PUBLIC holds TEMPORARY
    // and, before PostgreSQL 15, CREATE on schema public by default; both go.
    await sql(trx, 'revoke temporary on database %I from public, %I', me[0].db, role.name);
    await sql(trx, 'revoke create on schema public from public, %I', role.name);
    await sql(trx, 'grant usage on schema public to %I', role.name);
    await sql(trx, 'grant select, insert, update, delete on all tables in schema public to %I', role.name);
    await sql(trx, 'grant usage, select on all sequences in schema public to %I', role.name);
    // Every role may run a new function by default; the SECURITY DEFINER ones act as the owner.
    await trx.raw('revoke execute on all functions in schema public from public');
    await sql(trx, 'grant execute on all functions in schema public to %I', role.name);
    const { rows: ownerOnly } = await trx.raw(
      `select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname = any(?)`,
      [OWNER_ONLY_EXECUTE],
    );
    for (const f of ownerOnly as Array<{ f: string }>) await sql(trx, `revoke execute on function ${f.f} from %I`, role.name);
    await sql(trx, 'revoke truncate, references, trigger on all tables in schema public from %I', role.name);
    for (const t of READ_ONLY_TABLES) {
      if (await tableExists(trx, t)) await sql(trx, 'revoke insert, update, delete on %I from %I', t, role.name);
    }
    for (const r of await refusedByTriggers(trx)) {
      await sql(trx, `revoke ${r.operations.join(', ')} on %I from %I`, r.table, role.name);
    }
    // A partition is reached through its parent (whose privileges apply); directly, the role gets
    // only what the function that creates it grants for the while (statement_lines_begin).
    const { rows: partitions } = await trx.raw(
      `select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relispartition and c.relkind in ('r', 'p')`,
    );
    for (const p of partitions as Array<{ t: string }>) await sql(trx, 'revoke all on %I from %I', p.t, role.name);
    // Only a superuser may take these from PUBLIC; a managed database's owner is left with a warning.
    const { rows: superuser } = await trx.raw('select rolsuper from pg_roles where rolname = current_user');
    if (superuser[0]?.rolsuper) {
      for (const f of LARGE_OBJECT_FUNCTIONS) await trx.raw(`revoke execute on function pg_catalog.${f} from public`);
    }
    // A revoke by a role that does not own the database or schema only warns: say what is left.
    const { rows: left } = await trx.raw(
      `select has_database_privilege(?, current_database(), 'TEMPORARY') as temp, has_schema_privilege(?, 'public', 'CREATE') as create`,
      [role.name, role.name],
    );
    if (left[0].temp || left[0].create) {
      throw new Error(
        `application role ${role.name} can still ${left[0].temp ? 'create temporary tables' : 'create objects in schema public'} ` +
          `(granted to PUBLIC by the database's owner); as that owner run: ` +
          (left[0].temp ? `REVOKE TEMPORARY ON DATABASE ${me[0].db} FROM PUBLIC; ` : '') +
          (left[0].create ? 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;' : ''),
      );
    }
  });
}

async function tableExists(db: Knex, table: string): Promise<boolean> {
  const { rows } = await db.raw(`select to_regclass(format('public.%I', ?::text)) is not null as ok`, [table]);
  return rows[0].ok;
}

type Operation = 'insert' | 'update' | 'delete';

/**
 * Per table, the operations that one of its triggers refuses to the application: unconditionally
 * (append-only tables), or unless the schema's own function writes (the ledger's posting). Read
 * from the catalogue, so a table guarded by a later migration is covered without being listed here.
 */
export async function refusedByTriggers(db: Knex): Promise<Array<{ table: string; operations: Operation[] }>> {
  // tgtype bits: 4 = INSERT, 8 = DELETE, 16 = UPDATE (pg_trigger.h); tgqual null = no WHEN condition.
  const { rows } = await db.raw(
    `select c.relname as table,
            bool_or(t.tgtype & 4 <> 0) as refuses_insert,
            bool_or(t.tgtype & 16 <> 0) as refuses_update,
            bool_or(t.tgtype & 8 <> 0) as refuses_delete
       from pg_trigger t
       join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
       join pg_proc p on p.oid = t.tgfoid
      where ((p.proname = any(?) and t.tgqual is null) or p.proname = any(?)) and t.tgenabled <> 'D' and not t.tgisinternal
      group by c.relname
      order by c.relname`,
    [REFUSING_FUNCTIONS, OWNER_ONLY_FUNCTIONS],
  );
  return rows
    .map((r: { table: string; refuses_insert: boolean; refuses_update: boolean; refuses_delete: boolean }) => ({
      table: r.table,
      operations: (['insert', 'update', 'delete'] as const).filter((op) => r[`refuses_${op}`]),
    }))
    .filter((r: { operations: string[] }) => r.operations.length > 0);
}

/** How a connection's role stands, for start-up output: a superuser or owner can bypass triggers. */
export async function describeRole(db: Knex): Promise<{ name: string; superuser: boolean; ownsTables: number }> {
  const { rows } = await db.raw(
    `select r.rolname as name, r.rolsuper as superuser,
            (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'public' and c.relkind in ('r', 'p') and pg_has_role(current_user, c.relowner, 'USAGE'))::integer as owns
       from pg_roles r where r.rolname = current_user`,
  );
  return { name: rows[0].name, superuser: rows[0].superuser, ownsTables: rows[0].owns };
}
