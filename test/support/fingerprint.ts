/**
 * A cheap "was anything written?" check: for every table of the schema, its row count and the
 * newest row version's transaction id (xmin), read in one query as the schema's owner. An insert
 * or delete changes the count, an update the newest xmin; an insert undone by a delete in the
 * same request (a freed Idempotency-Key) changes neither, as it should.
 */
import type { Knex } from 'knex';

export type Fingerprint = Record<string, string>;

export interface Fingerprinter {
  tables: string[];
  take(): Promise<Fingerprint>;
  /**
   * The next transaction id PostgreSQL will assign: a transaction gets one when it first writes,
   * so while this stands still nothing was written — a far cheaper check than take().
   */
  nextXid(): Promise<string>;
}

export async function fingerprinter(owner: Knex): Promise<Fingerprinter> {
  const rows: Array<{ name: string }> = (
    await owner.raw(`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname not like 'knex\\_%'
      order by c.relname`)
  ).rows;
  const tables = rows.map((r) => r.name);
  const sql = tables
    .map((t) => `select '${t}' as t, count(*)::text || '/' || coalesce(max(xmin::text::bigint), 0)::text as f from public."${t}"`)
    .join(' union all ');
  return {
    tables,
    async take() {
      const out: Fingerprint = {};
      for (const r of (await owner.raw(sql)).rows as Array<{ t: string; f: string }>) out[r.t] = r.f;
      return out;
    },
    async nextXid() {
      return (await owner.raw('select pg_snapshot_xmax(pg_current_snapshot())::text as x')).rows[0].x as string;
    },
  };
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
