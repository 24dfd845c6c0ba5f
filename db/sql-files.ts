import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * The schema's functions, trigger functions (with the triggers that call them) and views, each in
 * one `.sql` file under db/sql, applied after the versioned migrations the way Flyway applies its
 * repeatable migrations: a file runs again when its content changes. What each file last ran as
 * (its SHA-256) and which objects it made are kept in `loanflow_sql_files`; an object that a file
 * no longer makes, or whose file is gone, is dropped. docs/adr/0001-sql-as-sql.md says why.
 */
export const sqlDir = path.join(__dirname, 'sql');

/**
 * The search_path every function of the schema runs with (docs/security.md): pg_temp last, where
 * it can shadow nothing that exists. IMMUTABLE SQL functions go without (they read no table, and a
 * SET clause would stop the planner from inlining them); test/security/db-attacks.test.ts checks.
 */
export const PINNED_SEARCH_PATH = 'pg_catalog, public, pg_temp';

/** The table of ours that records what each file ran as. */
export const SQL_FILES_TABLE = 'loanflow_sql_files';

export interface SqlFile {
  /** Relative to db/sql, with forward slashes: `ledger/ledger_post_batch.sql`. */
  path: string;
  text: string;
  sha256: string;
}

/** A file could not be applied: names it, and the line where PostgreSQL says the error is. */
export class SqlFileError extends Error {}

export function readSqlFiles(dir: string = sqlDir): SqlFile[] {
  const out: SqlFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sql')) {
        const text = fs.readFileSync(p, 'utf8');
        out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text, sha256: createHash('sha256').update(text).digest('hex') });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Each object of ours with the physical address of its catalogue row. CREATE OR REPLACE writes a
 * new row version even when nothing differs, so the objects whose address moved while a file ran
 * are the ones it made. Trigger clones on partitions follow their parent and are left out.
 */
const OBJECTS = `
  select 'function ' || p.oid::regprocedure::text as id, p.ctid::text as at
    from pg_catalog.pg_proc p
   where p.pronamespace = 'public'::regnamespace
     and not exists (select 1 from pg_catalog.pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
  select 'trigger ' || pg_catalog.quote_ident(t.tgname) || ' on public.' || pg_catalog.quote_ident(c.relname), t.ctid::text
    from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
   where c.relnamespace = 'public'::regnamespace and not t.tgisinternal and t.tgparentid = 0
  union all
  select 'view public.' || pg_catalog.quote_ident(c.relname), r.ctid::text
    from pg_catalog.pg_rewrite r join pg_catalog.pg_class c on c.oid = r.ev_class
   where c.relnamespace = 'public'::regnamespace and c.relkind = 'v' and r.rulename = '_RETURN'`;

async function objects(trx: Knex.Transaction): Promise<Map<string, string>> {
  const { rows } = await trx.raw(OBJECTS);
  return new Map(rows.map((r: { id: string; at: string }) => [r.id, r.at]));
}

/** Knex turns every `?` into a bind parameter; `\?` stays a question mark. */
const literally = (sql: string) => sql.replace(/\?/g, '\\?');

function dropStatement(object: string): string {
  const [kind, ...rest] = object.split(' ');
  if (kind === 'function') return `drop function if exists public.${rest.join(' ')}`;
  if (kind === 'trigger') return `drop trigger if exists ${rest.join(' ')}`;
  return `drop view if exists ${rest.join(' ')}`;
}

/** PostgreSQL's own message: knex puts the whole statement in front of it. */
function pgMessage(e: unknown, sql: string): string {
  const m = (e as Error).message ?? String(e);
  return m.startsWith(`${sql} - `) ? m.slice(sql.length + 3) : m;
}

function failure(file: SqlFile, e: unknown): SqlFileError {
  const position = (e as { position?: string }).position;
  const at = position ? `:${file.text.slice(0, Number(position) - 1).split('\n').length}` : '';
  return new SqlFileError(`db/sql/${file.path}${at}: ${pgMessage(e, file.text)}`);
}

/**
 * Applies the files whose content differs from what last ran, in path order, in one transaction;
 * drops what no file makes any more; returns the paths applied. Function bodies are checked after
 * all files ran (a SQL function may name one defined in a file later in the order).
 */
export async function applySqlFiles(db: Knex, files: SqlFile[] = readSqlFiles()): Promise<string[]> {
  return db.transaction(async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(hashtext('loanflow.sql_files'))`);
    // Object names read back from the catalogue come out relative to this path.
    await trx.raw('set local search_path = pg_catalog, public');
    await trx.raw(`create table if not exists public.${SQL_FILES_TABLE} (
      path text primary key,
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      objects text[] not null,
      applied_at timestamptz not null default now()
    )`);
    const recorded = new Map<string, { sha256: string; objects: string[] }>(
      (await trx(SQL_FILES_TABLE).select('path', 'sha256', 'objects')).map((r: { path: string; sha256: string; objects: string[] }) => [r.path, r]),
    );
    const changed = files.filter((f) => recorded.get(f.path)?.sha256 !== f.sha256);
    const owner = new Map<string, string>();
    for (const f of files) if (!changed.includes(f)) for (const o of recorded.get(f.path)!.objects) owner.set(o, f.path);

    await trx.raw('set local check_function_bodies = off');
    const made = new Map<string, string[]>();
    for (const f of changed) {
      const before = await objects(trx);
      try {
        await trx.raw(literally(f.text));
      } catch (e) {
        throw failure(f, e);
      }
      const mine = [...(await objects(trx))].filter(([id, at]) => before.get(id) !== at).map(([id]) => id).sort();
      for (const o of mine) {
        const other = owner.get(o);
        if (other) throw new SqlFileError(`db/sql/${f.path}: ${o} is made by db/sql/${other} too: each object lives in one file`);
        owner.set(o, f.path);
      }
      made.set(f.path, mine);
    }

    // What a changed file made before and makes no more, and everything a removed file made.
    const current = new Set(files.map((f) => f.path));
    const gone = [...recorded]
      .flatMap(([p, r]) => (!current.has(p) ? r.objects : made.has(p) ? r.objects.filter((o) => !made.get(p)!.includes(o)) : []))
      .filter((o) => !owner.has(o));
    // Triggers before the functions they call; no CASCADE, so a table's column or constraint that
    // uses a function makes the drop fail loudly rather than vanish with it.
    for (const o of gone.sort((a, b) => Number(a.startsWith('function')) - Number(b.startsWith('function')))) {
      if (o.startsWith('function')) {
        const { rows } = await trx.raw(
          `select format('drop trigger %I on %s', t.tgname, t.tgrelid::regclass) as s from pg_trigger t
            where t.tgfoid = to_regprocedure(?) and not t.tgisinternal and t.tgparentid = 0`,
          [`public.${o.slice('function '.length)}`],
        );
        for (const r of rows) await trx.raw(r.s);
      }
      await trx.raw(dropStatement(o));
    }

    await trx.raw('set local check_function_bodies = on');
    for (const f of changed) {
      for (const o of made.get(f.path)!.filter((x) => x.startsWith('function'))) {
        const { rows } = await trx.raw(
          `select pg_get_functiondef(p.oid) as d from pg_proc p join pg_language l on l.oid = p.prolang
            where p.oid = to_regprocedure(?) and l.lanname in ('sql', 'plpgsql')`,
          [`public.${o.slice('function '.length)}`],
        );
        try {
          if (rows.length) await trx.raw(literally(rows[0].d));
        } catch (e) {
          throw new SqlFileError(`db/sql/${f.path}: ${o}: ${pgMessage(e, rows[0].d)}`);
        }
      }
      await trx(SQL_FILES_TABLE)
        .insert({ path: f.path, sha256: f.sha256, objects: made.get(f.path), applied_at: trx.fn.now() })
        .onConflict('path')
        .merge();
    }
    const removed = [...recorded.keys()].filter((p) => !current.has(p));
    if (removed.length) await trx(SQL_FILES_TABLE).whereIn('path', removed).delete();
    return changed.map((f) => `db/sql/${f.path}`);
  });
}
