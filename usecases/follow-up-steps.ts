import type { StepDeps } from './deps';
import type { Actor } from '../workflows/definitions';
import type { DueVisit, FollowUpVisitBody } from '../domain/follow-up';
import { audit } from '../db/repositories/audit';
import { insertOnce } from '../db/repositories/once';

export interface FollowUpStep {
  key: string;
  loanId: string;
  months: number;
}

export interface VisitRecord extends FollowUpStep {
  visit: FollowUpVisitBody;
  late: boolean;
  actor: Actor;
  requestId: string;
  clientRequestId?: string | null;
}

/**
 * The steps of a loan's follow-up workflow (workflows/follow-up), each run by an activity, once per
 * key: the visits due, the reminder at a visit's due date, the overdue mark, the visit recorded.
 */
export function followUpSteps({ db, clock }: StepDeps) {
  /** A reminder or an overdue mark: noted on the scheduled visit once, and audited once. */
  async function mark(s: FollowUpStep, column: 'reminded_at' | 'overdue_marked_at', action: string) {
    await db.transaction(async (trx) => {
      await trx('follow_up_schedule').where({ loan_id: s.loanId, months: s.months }).whereNull(column).update({ [column]: clock.now() });
      await audit(trx, { actor: null, action, entityType: 'loan', entityId: s.loanId, payload: { months: s.months }, key: s.key });
    });
  }

  return {
    async scheduleFollowUp(s: { key: string; loanId: string; visits: DueVisit[] }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('follow_up_schedule')
          .insert(s.visits.map((v) => ({ loan_id: s.loanId, months: v.months, due_on: v.dueOn, overdue_on: v.overdueOn })))
          .onConflict(['loan_id', 'months'])
          .ignore();
        await audit(trx, { actor: null, action: 'follow_up.scheduled', entityType: 'loan', entityId: s.loanId, payload: { visits: s.visits }, key: s.key });
      });
    },

    async remindFollowUpVisit(s: FollowUpStep): Promise<void> {
      await mark(s, 'reminded_at', 'follow_up.reminder');
    },

    async markFollowUpVisitOverdue(s: FollowUpStep): Promise<void> {
      await mark(s, 'overdue_marked_at', 'follow_up.overdue');
    },

    /** The visit and its audit row, in one transaction; a retry under the same key writes nothing. */
    async recordFollowUpVisit(r: VisitRecord): Promise<void> {
      await db.transaction(async (trx) => {
        const v = r.visit;
        const fresh = await insertOnce(trx, 'follow_up_visits', {
          loan_id: r.loanId, months: r.months, visited_on: v.visitedOn, operating_status: v.operatingStatus, employees: v.employees,
          business_registration_no: v.businessRegistrationNo, note: v.note, late: r.late,
          recorded_by: r.actor.userId, recorded_role: r.actor.role, idempotency_key: r.key,
        });
        if (!fresh) return;
        await audit(trx, {
          actor: { userId: r.actor.userId, username: r.actor.username, role: r.actor.role, orgId: r.actor.orgId },
          action: 'follow_up.visit', entityType: 'loan', entityId: r.loanId, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null,
          payload: { ...v, late: r.late }, key: `${r.key}:audit`,
        });
      });
    },
  };
}
