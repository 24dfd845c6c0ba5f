import type { Knex } from 'knex';

/**
 * A role with more than loanflow_app may have: it MAY create temporary tables and call every
 * function. Attacks run as it show the SECURITY DEFINER functions themselves never read the caller's
 * pg_temp or search_path (docs/security.md). Returns a function that drops it again.
 */
export async function createProbeRole(admin: Knex, database: string, name: string): Promise<() => Promise<void>> {
  await admin.raw(`drop role if exists ${name}`);
  await admin.raw(`create role ${name} nologin`);
  await admin.raw(`grant temporary on database ${database} to ${name}`);
  await admin.raw(`grant usage on schema public to ${name}`);
  await admin.raw(`grant execute on all functions in schema public to ${name}`);
  await admin.raw(`grant select on all tables in schema public to ${name}`);
  return async () => {
    await admin.raw(`drop owned by ${name}`).catch(() => undefined);
    await admin.raw(`drop role if exists ${name}`).catch(() => undefined);
  };
}
