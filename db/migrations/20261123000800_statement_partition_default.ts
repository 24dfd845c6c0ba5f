import type { Knex } from 'knex';
import { STATEMENT_LINES_NEW_PARTITION_V1 } from './20261123000700_statement_partitions';

/**
 * A reconciliation's partition of statement_lines takes its reconciliation id as the column's
 * default, so the importer's COPY leaves the column out: at a million lines that was 37 MB of the
 * same UUID written, sent and parsed again for every row (bench/reconcile.ts). The partition's
 * bound CHECK still holds every row to that id. Partitions made before keep no default; they take
 * no more rows anyway.
 */
const NEW_PARTITION_V2 = `
    -- The empty, unattached table (as whoever calls it: from statement_lines_begin, the owner).
    create or replace function statement_lines_new_partition(p_reconciliation uuid) returns text language plpgsql as $f$
    declare
      t text := statement_lines_partition(p_reconciliation);
    begin
      execute format('create table public.%I (like public.statement_lines including constraints including defaults)', t);
      -- The partition's bound as a CHECK: ATTACH then need not read the rows to prove it.
      execute format('alter table public.%I add constraint bound check (reconciliation_id = %L::uuid)', t, p_reconciliation);
      execute format('alter table public.%I alter column reconciliation_id set default %L::uuid', t, p_reconciliation);
      execute format('create trigger no_truncate before truncate on public.%I for each statement execute function public.loanflow_refuse_change()', t);
      return t;
    end $f$;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(NEW_PARTITION_V2);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(STATEMENT_LINES_NEW_PARTITION_V1.replace('create function', 'create or replace function'));
}
