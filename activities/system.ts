import type { ActivityDeps } from './deps';

/** Activities that prove the worker reaches its database; used by the system-check workflow. */
export function createSystemActivities({ db }: ActivityDeps) {
  return {
    async databaseTime(): Promise<{ now: string; database: string }> {
      const { rows } = await db.raw<{ rows: Array<{ now: string; database: string }> }>(
        `select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now, current_database() as database`,
      );
      return rows[0]!;
    },
  };
}
