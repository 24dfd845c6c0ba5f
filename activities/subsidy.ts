import type { ActivityDeps } from './deps';
import { claimSteps } from '../usecases/claim-steps';

export type { FilingOutcome, ClaimDecisionRecord, PaymentOutcome } from '../usecases/claim-steps';

/** The subsidy claim workflow's activities: its steps (usecases/claim-steps.ts). */
export function createSubsidyActivities(deps: ActivityDeps) {
  const steps = claimSteps(deps);
  return {
    fileClaim: steps.fileClaim,
    checkClaim: steps.checkClaim,
    approveClaim: steps.approveClaim,
    retryClaimPayment: steps.retryClaimPayment,
  };
}

export type SubsidyActivities = ReturnType<typeof createSubsidyActivities>;
