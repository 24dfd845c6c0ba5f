import { fail } from '../common';
import {
  failureTypes,
  type DecisionMeta,
  type ProgrammeApproval,
  type ProgrammeCheck,
  type ProgrammeCheckerRole,
  type ProgrammeClaimInput,
  type ProgrammeClaimState,
  type ProgrammeFilingResult,
} from '../definitions';

/**
 * A programme claim's state machine (training subsidy, incubator reward; docs/programmes.md): the
 * checker's role checks (FILED → CHECKED or REFUSED), a finance approver who is not the checker approves
 * (→ PAID, or PENDING_BUDGET until approved again after a top-up) or rejects (→ REJECTED).
 */
export class ProgrammeClaimMachine {
  readonly state: ProgrammeClaimState;
  filing: ProgrammeFilingResult | undefined;

  constructor(
    readonly input: ProgrammeClaimInput,
    readonly checkerRole: ProgrammeCheckerRole,
  ) {
    this.state = { id: input.claimId, programme: input.programme, status: 'FILED', amount: '0.00', mismatches: 0, checkedBy: null, note: null };
  }

  private requireStatus(allowed: ProgrammeClaimState['status'][], what: string): void {
    if (this.filing === undefined) fail(failureTypes.invalidState, 'The claim is still being filed; try again in a moment');
    if (!allowed.includes(this.state.status)) fail(failureTypes.invalidState, `${what} is not possible while the claim is ${this.state.status}`);
  }

  checkCheck(d: ProgrammeCheck, meta: DecisionMeta): void {
    if (meta.actor.role !== this.checkerRole) fail(failureTypes.forbidden, `Checking this claim needs the ${this.checkerRole} role`);
    this.requireStatus(['FILED'], 'A check');
    if (d.decision === 'refuse' && (d.reason?.trim().length ?? 0) < 3) fail(failureTypes.validation, 'refusing a claim needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
    if (d.decision === 'accept' && this.state.mismatches > 0) {
      fail(failureTypes.validation, `${this.state.mismatches} trainee(s) do not match their certificates: adjust (drop them) or refuse`, [
        { path: 'decision', message: 'adjust or refuse while trainees do not match' },
      ]);
    }
    if (d.decision === 'adjust' && this.state.trainees !== undefined && this.state.trainees > 0 && this.state.mismatches >= this.state.trainees) {
      // Adjusted to nobody, the claim would be CHECKED at 0.00, which no payout can pay.
      fail(failureTypes.validation, 'no trainee matches their certificate: adjusting would drop them all; refuse the claim instead', [
        { path: 'decision', message: 'refuse: every trainee would be dropped' },
      ]);
    }
    if (d.decision === 'adjust' && this.input.programme !== 'training_subsidy') {
      fail(failureTypes.validation, 'only a training claim is adjusted', [{ path: 'decision', message: 'accept or refuse' }]);
    }
  }

  checkApproval(d: ProgrammeApproval, meta: DecisionMeta): void {
    if (meta.actor.role !== 'finance_approver') fail(failureTypes.forbidden, 'Approving a programme claim needs the finance_approver role');
    this.requireStatus(['CHECKED', 'PENDING_BUDGET'], d.decision === 'approve' ? 'An approval' : 'A rejection');
    if (meta.actor.userId === this.state.checkedBy) fail(failureTypes.forbidden, 'The approver must be a different person from the checker (maker–checker)');
    if (d.decision === 'reject' && (d.reason?.trim().length ?? 0) < 3) fail(failureTypes.validation, 'rejecting a claim needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
  }

  refused(type: string, message: string, details: Array<{ path: string; message: string }>): void {
    this.filing = { outcome: 'refused', type, message, details };
    this.state.status = 'REFUSED';
    this.state.note = message;
    this.state.refusal = { type, message, details };
  }

  filed(claim: ProgrammeClaimState): void {
    Object.assign(this.state, claim);
    this.filing = { outcome: 'filed', claim: this.state };
  }

  get decided(): boolean {
    return ['PAID', 'REFUSED', 'REJECTED'].includes(this.state.status);
  }
}
