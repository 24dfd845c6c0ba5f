import type { Caller, RecordsDeps } from './deps';
import { listTasks } from '../db/repositories/tasks';

/**
 * My tasks: the applications waiting for the caller's step, with the step's deadline, its reminder
 * at half time and whether it is overdue, overdue ones first (db/repositories/tasks.ts).
 */
export async function myTasks(deps: RecordsDeps, caller: Caller, f: { page: number; pageSize: number; now: Date }) {
  const { rows, total } = await listTasks(deps.db, caller, f);
  return {
    total,
    items: rows.map((r) => ({
      kind: 'application' as const,
      applicationId: r.id,
      name: r.name,
      status: r.status,
      requestedAmount: r.requested_amount,
      recommendedAmount: r.recommended_amount,
      approvedAmount: r.approved_amount,
      submittedOn: r.submitted_on,
      reviewedBy: r.reviewed_by_username,
      stepDays: r.step_days,
      deadline: r.step_deadline_at.toISOString(),
      reminderAt: r.reminder_at.toISOString(),
      reminderDue: r.reminder_due,
      overdue: r.overdue,
    })),
  };
}
