import type { Knex } from 'knex';

/**
 * An incubator's enterprises by name: the incubators' list counts them per incubator, and the
 * incubator's own GET reads them a page at a time (docs/programmes.md); without the index both
 * read the whole table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index incubated_enterprises_by_incubator on public.incubated_enterprises (incubator_id, name, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index public.incubated_enterprises_by_incubator');
}
