import type { ActivityDeps } from './deps';
import { databaseTime } from '../usecases/health';

/** Activities that prove the worker reaches its database; used by the system-check workflow. */
export function createSystemActivities({ db }: ActivityDeps) {
  return {
    async databaseTime(): Promise<{ now: string; database: string }> {
      return databaseTime(db);
    },
  };
}
