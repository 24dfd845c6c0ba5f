import { DomainError } from '../domain/errors';
import { compareDates } from '../domain/dates';
import type { FollowUpVisitBody } from '../domain/follow-up';
import { followUpRows } from '../db/repositories/follow-up';
import { followUpVisitUpdate, followUpWorkflowId } from '../workflows/definitions';
import { metaOf, todayOf, type Caller, type RecordsDeps, type WorkflowDeps } from './deps';
import { visibleLoan } from './loans';
import { WorkflowClosedError, asking, type DecisionRequest } from './workflow-client';

/**
 * A loan's follow-up (docs/programmes.md "Follow-up of businesses"): each visit due, whether it is
 * due or overdue today, and what was recorded. Whoever may see the loan may see its visits.
 */
export async function loanFollowUp(deps: RecordsDeps, caller: Caller, loanId: string) {
  const loan = await visibleLoan(deps.db, loanId, caller);
  const today = todayOf(deps);
  const rows = await followUpRows(deps.db, loan.id);
  return {
    loanId: loan.id,
    disbursedOn: loan.disbursed_on,
    visits: rows.map((r) => ({
      months: r.months,
      dueOn: r.due_on,
      overdueOn: r.overdue_on,
      state: r.visited_on !== null ? ('recorded' as const) : compareDates(today, r.overdue_on) >= 0 ? ('overdue' as const) : compareDates(today, r.due_on) >= 0 ? ('due' as const) : ('scheduled' as const),
      visit:
        r.visited_on === null
          ? null
          : {
              visitedOn: r.visited_on, operatingStatus: r.operating_status!, employees: r.employees!, businessRegistrationNo: r.business_registration_no,
              note: r.note ?? '', late: r.late!, recordedBy: r.recorded_by!, recordedRole: r.recorded_role!, recordedAt: r.recorded_at!.toISOString(),
            },
    })),
  };
}

/** An officer records a visit: one update of the loan's follow-up workflow, answered with the follow-up. */
export async function recordFollowUpVisit(deps: WorkflowDeps, caller: Caller, loanId: string, body: FollowUpVisitBody, request: DecisionRequest) {
  const loan = await visibleLoan(deps.db, loanId, caller);
  try {
    await asking(() => deps.temporal.workflow.getHandle(followUpWorkflowId(loan.id)).executeUpdate(followUpVisitUpdate, { args: [body, metaOf(caller, request)], updateId: request.updateId }));
  } catch (e) {
    if (!(e instanceof WorkflowClosedError)) throw e;
    throw new DomainError('INVALID_STATE', 'No follow-up visit is open on this loan: every visit is recorded, or the loan was disbursed before follow-up began');
  }
  return loanFollowUp(deps, caller, loan.id);
}
