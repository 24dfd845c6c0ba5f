import { proxyActivities } from '@temporalio/workflow';
import type { HousekeepingActivities } from '../activities/housekeeping';

const { purgeIdempotencyKeys } = proxyActivities<HousekeepingActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export const HOUSEKEEPING_SCHEDULE_ID = 'housekeeping';

/** Deletes expired idempotency keys. Run hourly by a Temporal schedule (scripts/lib/schedules.ts). */
export async function housekeeping(): Promise<{ idempotencyKeysPurged: number }> {
  return { idempotencyKeysPurged: await purgeIdempotencyKeys() };
}
