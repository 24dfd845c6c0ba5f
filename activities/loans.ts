import type { ActivityDeps } from './deps';
import { loanSteps } from '../usecases/loan-steps';

export type { LoanRef, LoanStep, RepaymentRecord, OpenLoan } from '../usecases/loan-steps';

/** The loan workflow's activities: its steps (usecases/loan-steps.ts), one activity each. */
export const createLoanActivities = (deps: ActivityDeps) => loanSteps(deps);

export type LoanActivities = ReturnType<typeof createLoanActivities>;
