import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { databaseTime } = proxyActivities<Pick<Activities, 'databaseTime'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** A round trip through server, worker, activity and database: the deepest health check there is. */
export async function systemCheck(): Promise<{ workflow: 'ok'; database: string; databaseTime: string }> {
  const { now, database } = await databaseTime();
  return { workflow: 'ok', database, databaseTime: now };
}
