import type { ActivityDeps } from './deps';
import { claimSteps } from '../usecases/claim-steps';

export type { FilingOutcome, ClaimDecisionRecord, PaymentOutcome } from '../usecases/claim-steps';

/** The subsidy claim workflow's activities: its steps (usecases/claim-steps.ts), one activity each. */
export const createSubsidyActivities = (deps: ActivityDeps) => claimSteps(deps);

export type SubsidyActivities = ReturnType<typeof createSubsidyActivities>;
