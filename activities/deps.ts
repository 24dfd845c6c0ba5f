import type { Knex } from 'knex';
import type { Clock } from './clock';

/** What every activity factory receives: no globals, so tests build their own. */
export interface ActivityDeps {
  db: Knex;
  clock: Clock;
}
