import type { ActivityDeps } from './deps';
import { loanSteps } from '../usecases/loan-steps';

export type { LoanRef, LoanStep, RepaymentRecord, OpenLoan } from '../usecases/loan-steps';

/** The loan workflow's activities: its steps (usecases/loan-steps.ts). */
export function createLoanActivities(deps: ActivityDeps) {
  const steps = loanSteps(deps);
  return {
    recordRepayment: steps.recordRepayment,
    markOverdue: steps.markOverdue,
    recordExtension: steps.recordExtension,
    recordDefault: steps.recordDefault,
    recordRecovery: steps.recordRecovery,
  };
}

export type LoanActivities = ReturnType<typeof createLoanActivities>;
