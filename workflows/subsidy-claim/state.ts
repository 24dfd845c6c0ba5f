import { fail } from '../common';
import { addDays, quarterBounds } from '../../domain/dates';
import { quarterHasEnded } from '../../domain/claim-rules';
import type { ClaimDecision } from '../../domain/loan-schemas';
import { failureTypes, type Actor, type ClaimDecisionMeta, type ClaimInput, type ClaimState, type FilingResult } from '../definitions';

/**
 * A subsidy claim's state machine (docs/domain.md §1.7): which decision each status allows, and
 * who may take it. The claim's own state comes from the database after each step (the activities
 * answer with it); the handlers (handlers.ts) take turns and record.
 */
export class ClaimMachine {
  readonly state: ClaimState;
  /** What the bank is told; undefined while the claim is being filed. */
  filing: FilingResult | undefined;

  constructor(readonly input: ClaimInput) {
    this.state = {
      id: input.claimId,
      bankId: input.bankId,
      quarter: input.quarter,
      status: 'SUBMITTED',
      late: false,
      lineCount: 0,
      total: '0.00',
      checkedBy: null,
      note: null,
    };
  }

  private requireStatus(claimId: string, allowed: ClaimState['status'][], what: string): void {
    if (claimId !== this.input.claimId) fail(failureTypes.notCurrent, `claim ${claimId} is no longer in progress; claim ${this.input.claimId} is`);
    if (this.filing === undefined) fail(failureTypes.invalidState, 'The claim is still being filed; try again in a moment');
    if (!allowed.includes(this.state.status)) fail(failureTypes.invalidState, `${what} is not possible while the claim is ${this.state.status}`);
  }

  private requireRole(actor: Actor, role: string, what: string): void {
    if (actor.role !== role) fail(failureTypes.forbidden, `${what} needs the ${role} role`);
  }

  checkCheck(_d: ClaimDecision, meta: ClaimDecisionMeta): void {
    this.requireRole(meta.actor, 'finance_officer', 'Checking a subsidy claim');
    this.requireStatus(meta.claimId, ['SUBMITTED'], 'A check');
  }

  checkApproval(d: ClaimDecision, meta: ClaimDecisionMeta): void {
    this.requireRole(meta.actor, 'finance_approver', 'Approving a subsidy claim');
    const approve = d.decision === 'approve';
    this.requireStatus(meta.claimId, approve ? ['CHECKED'] : ['CHECKED', 'PENDING_BUDGET'], approve ? 'An approval' : 'A rejection');
    // Maker–checker: whoever checked may not also approve.
    if (meta.actor.userId === this.state.checkedBy) fail(failureTypes.forbidden, 'The approver must be a different person from the checker (maker–checker)');
  }

  checkPaymentRetry(meta: ClaimDecisionMeta): void {
    if (meta.actor.role !== 'finance_approver' && meta.actor.role !== 'finance_officer') fail(failureTypes.forbidden, 'Retrying a payout needs a finance role');
    this.requireStatus(meta.claimId, ['PENDING_BUDGET'], 'Retrying the payout');
  }

  /** A claim for a quarter that has not ended is refused before anything is filed. */
  refuseUnendedQuarter(filedOn: string): boolean {
    if (quarterHasEnded(this.input.quarter, filedOn)) return false;
    const opens = addDays(quarterBounds(this.input.quarter).end, 1);
    this.filing = {
      outcome: 'refused',
      type: failureTypes.validation,
      message: `quarter ${this.input.quarter} has not ended yet; its claims can be filed from ${opens}`,
      details: [{ path: 'quarter', message: `has not ended yet (claims open on ${opens})` }],
    };
    this.state.status = 'REFUSED';
    return true;
  }

  /** Filing refused by the records (nothing to claim, a claim already paid, bad data). */
  refused(type: string, message: string): void {
    this.filing = { outcome: 'refused', type, message, details: [{ path: 'quarter', message }] };
    this.state.status = 'REFUSED';
    this.state.note = message;
  }

  filed(claim: Partial<ClaimState>): void {
    Object.assign(this.state, claim);
    this.filing = { outcome: 'filed', claim: this.state };
  }

  get decided(): boolean {
    return this.state.status === 'PAID' || this.state.status === 'REJECTED';
  }
}
