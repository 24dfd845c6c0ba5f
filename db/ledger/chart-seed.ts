import type { Knex } from 'knex';
import { chartRows } from './chart';

/**
 * Brings `ledger_chart` to the chart of chart.ts: adds the kinds it lacks. The table is
 * append-only (an account's kind must keep meaning what it meant when it was posted to), so a
 * kind that differs from the code's, or that the code no longer has, is not changed here: that
 * takes a versioned migration that says what becomes of the accounts of that kind.
 */
export async function seedChart(db: Knex): Promise<void> {
  const rows = chartRows();
  await db('ledger_chart').insert(rows).onConflict('kind').ignore();
  const stored = await db('ledger_chart').select('kind', 'code_pattern', 'entity', 'type', 'normal_side', 'allow_negative', 'name');
  const wanted = new Map<string, string>(rows.map((r) => [r.kind, JSON.stringify(r)]));
  const differing = stored.filter((r: { kind: string }) => wanted.get(r.kind) !== JSON.stringify({ ...r })).map((r: { kind: string }) => r.kind);
  if (differing.length) {
    throw new Error(
      `ledger_chart differs from db/ledger/chart.ts for ${differing.join(', ')}: the chart is append-only, so a changed or removed kind needs a versioned migration`,
    );
  }
}
