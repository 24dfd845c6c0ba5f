import fs from 'node:fs';
import path from 'node:path';

/** The baseline's SQL: every table as of the squash (docs/adr/0001-sql-as-sql.md). */
export const BASELINE_SQL_FILE = path.join(__dirname, 'migrations', '20261206000000_baseline.sql');

export function baselineSql(): string {
  return fs.readFileSync(BASELINE_SQL_FILE, 'utf8');
}

/**
 * One table as the baseline made it: its CREATE TABLE and the CREATE INDEX statements on it. A
 * later migration that drops a baseline table brings it back with this in its down(), so the
 * table is written once.
 */
export function baselineTable(table: string): string {
  const sql = baselineSql();
  const create = new RegExp(`^create table public\\.${table} \\([\\s\\S]*?^\\);$`, 'm').exec(sql);
  if (!create) throw new Error(`the baseline makes no table public.${table}`);
  const indexes = sql.match(new RegExp(`^create (unique )?index \\w+ on public\\.${table} .*;$`, 'gm')) ?? [];
  return [create[0], ...indexes].join('\n');
}
