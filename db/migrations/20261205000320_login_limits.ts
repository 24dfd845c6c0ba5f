import type { Knex } from 'knex';

/**
 * Sign-in counters of api/auth/login-limits.ts (rate-limiter-flexible's PostgreSQL store, whose
 * layout this is). Made here, by the schema's owner: the application's role may not create
 * tables, so the library is told the table exists.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table login_limits (
    key varchar(255) primary key,
    points integer not null default 0,
    expire bigint
  )`);
  await knex.raw('create index login_limits_expire on login_limits (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table login_limits');
}
