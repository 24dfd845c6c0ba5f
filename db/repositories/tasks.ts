import type { Knex } from 'knex';
import { scopeApplications, type Viewer } from './applications';

/**
 * The step each officer role decides, and the policy parameter that gives it its days: the same
 * table the application workflow waits by (workflows/application.ts), read here for the deadlines.
 */
export const TASK_STEPS: Readonly<Record<string, { status: string; daysParam: string }>> = {
  community_officer: { status: 'AWAITING_COUNTER_GUARANTEE', daysParam: 'counterGuaranteeDays' },
  guarantee_reviewer: { status: 'AWAITING_GUARANTEE_REVIEW', daysParam: 'guaranteeDecisionDays' },
  guarantee_approver: { status: 'AWAITING_GUARANTEE_APPROVAL', daysParam: 'guaranteeDecisionDays' },
  bank_officer: { status: 'AWAITING_DISBURSAL', daysParam: 'disbursalDays' },
};

export interface TaskRow {
  id: string;
  name: string;
  status: string;
  requested_amount: string;
  recommended_amount: string | null;
  approved_amount: string | null;
  submitted_on: string;
  reviewed_by_username: string | null;
  step_days: number;
  step_deadline_at: Date;
  reminder_at: Date;
  overdue: boolean;
  reminder_due: boolean;
}

/**
 * The applications waiting for the viewer's step, within what the viewer may see: earliest
 * deadline first, so overdue ones lead. The deadline is the one the workflow keeps; its start and
 * the reminder (half time) come from the step's days in the policy version the application keeps.
 */
export async function listTasks(
  db: Knex,
  v: Viewer,
  f: { now: Date; page: number; pageSize: number },
): Promise<{ rows: TaskRow[]; total: number }> {
  const step = TASK_STEPS[v.role];
  if (!step) return { rows: [], total: 0 };
  const base = scopeApplications(db('applications as a'), v)
    .join('policies as p', 'p.id', 'a.policy_id')
    .where('a.status', step.status)
    .whereNotNull('a.step_deadline_at');
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const days = db.raw('(p.params ->> ?)::numeric', [step.daysParam]);
  const rows = await base
    .clone()
    .leftJoin('users as r', 'r.id', 'a.reviewed_by')
    .select(
      'a.id', 'a.name', 'a.status', 'a.requested_amount', 'a.recommended_amount', 'a.approved_amount', 'a.submitted_on',
      'a.step_deadline_at', 'r.username as reviewed_by_username',
      db.raw('? :: integer as step_days', [days]),
      db.raw("a.step_deadline_at - ? * interval '12 hours' as reminder_at", [days]),
      db.raw('a.step_deadline_at <= ? as overdue', [f.now]),
      db.raw("a.step_deadline_at - ? * interval '12 hours' <= ? as reminder_due", [days, f.now]),
    )
    .orderBy([{ column: 'a.step_deadline_at', order: 'asc' }, { column: 'a.id', order: 'asc' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}
