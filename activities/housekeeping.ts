import type { ActivityDeps } from './deps';
import { purgeExpiredIdempotencyKeys } from '../db/repositories/idempotency-keys';

export function createHousekeepingActivities({ db }: ActivityDeps) {
  return {
    async purgeIdempotencyKeys(): Promise<number> {
      return purgeExpiredIdempotencyKeys(db);
    },
  };
}

export type HousekeepingActivities = ReturnType<typeof createHousekeepingActivities>;
