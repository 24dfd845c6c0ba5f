import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ledgerSealing, LEDGER_SEALING_SCHEDULE_ID } from '../../workflows/ledger-sealing';
import { housekeeping, HOUSEKEEPING_SCHEDULE_ID } from '../../workflows/housekeeping';

/** Creates the recurring jobs once; a second start finds them and leaves them as they are. */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  const schedules = [
    { scheduleId: LEDGER_SEALING_SCHEDULE_ID, every: '1 minute', workflowType: ledgerSealing },
    { scheduleId: HOUSEKEEPING_SCHEDULE_ID, every: '1 hour', workflowType: housekeeping },
  ] as const;
  for (const s of schedules) {
    try {
      await client.schedule.create({
        scheduleId: s.scheduleId,
        spec: { intervals: [{ every: s.every }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.every },
        action: { type: 'startWorkflow', workflowType: s.workflowType, taskQueue, args: [] },
      });
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    }
  }
}
