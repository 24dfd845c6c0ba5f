import { fail } from '../common';
import { followUpSchedule, visitRefusal, type FollowUpVisitBody } from '../../domain/follow-up';
import { compareDates } from '../../domain/dates';
import { failureTypes, type Actor, type FollowUpInput, type FollowUpState, type FollowUpVisitState } from '../definitions';

/** What the workflow does next on its own: remind at a due date, mark overdue, or nothing left. */
export type NextStep = { kind: 'reminder' | 'overdue'; visit: FollowUpVisitState; on: string } | null;

/**
 * A loan's follow-up visits as a state machine (docs/programmes.md "Follow-up of businesses"). No
 * Temporal calls: the workflow (index.ts) sleeps until `next()` and records; the rules are the
 * pure ones of domain/follow-up.ts.
 */
export class FollowUpMachine {
  readonly state: FollowUpState;

  constructor(readonly input: FollowUpInput) {
    this.state = {
      loanId: input.loanId,
      visits: followUpSchedule(input.disbursedOn, { followUpMonths: input.followUpMonths, followUpVisitDays: input.followUpVisitDays }).map((v) => ({
        ...v, reminded: false, overdueMarked: false, recorded: null,
      })),
    };
  }

  get done(): boolean {
    return this.state.visits.every((v) => v.recorded !== null);
  }

  /** The earliest reminder or overdue mark still to send, for a visit not yet recorded. */
  next(): NextStep {
    let best: NextStep = null;
    for (const v of this.state.visits) {
      if (v.recorded) continue;
      const step: NextStep = !v.reminded ? { kind: 'reminder', visit: v, on: v.dueOn } : !v.overdueMarked ? { kind: 'overdue', visit: v, on: v.overdueOn } : null;
      if (step && (!best || compareDates(step.on, best.on) < 0)) best = step;
    }
    return best;
  }

  /**
   * Who records a visit: an officer of the borrower's credit community, who knows the business,
   * or of the guarantee company, which carries the risk.
   */
  checkVisit(b: FollowUpVisitBody, actor: Actor, today: string): void {
    const community = actor.role === 'community_officer' && actor.orgId === this.input.communityId;
    const guarantor = (actor.role === 'guarantee_reviewer' || actor.role === 'guarantee_approver') && actor.orgId === this.input.guaranteeCompanyId;
    if (!community && !guarantor) {
      fail(failureTypes.forbidden, "Recording a follow-up visit needs an officer of the borrower's credit community or of the loan's guarantee company");
    }
    const recorded = new Set(this.state.visits.filter((v) => v.recorded).map((v) => v.months));
    const r = visitRefusal(this.state.visits, recorded, b, today);
    if (r) fail(r.kind === 'conflict' ? failureTypes.conflict : failureTypes.validation, `Follow-up visit refused: ${r.path} ${r.message}`, [{ path: r.path, message: r.message }]);
  }

  /** Recorded after the day it became overdue: late. */
  isLate(months: number, today: string): boolean {
    return compareDates(today, this.visit(months).overdueOn) >= 0;
  }

  visit(months: number): FollowUpVisitState {
    return this.state.visits.find((v) => v.months === months)!;
  }

  recorded(b: FollowUpVisitBody, late: boolean): void {
    this.visit(b.months).recorded = { visitedOn: b.visitedOn, operatingStatus: b.operatingStatus, employees: b.employees, businessRegistrationNo: b.businessRegistrationNo, late };
  }
}
