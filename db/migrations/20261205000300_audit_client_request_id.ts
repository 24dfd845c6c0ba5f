import type { Knex } from 'knex';

/**
 * audit_log.request_id is the API's own id (a UUID: a caller's X-Request-Id only when it is one);
 * what the caller sent otherwise is kept apart, bounded and printable, for correlation only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table audit_log add column client_request_id text
    constraint audit_log_client_request_id_check check (client_request_id ~ '^[ -~]{1,128}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table audit_log drop column client_request_id');
}
