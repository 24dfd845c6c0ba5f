import type { ActivityDeps } from './deps';
import { programmeClaimSteps } from '../usecases/programme-claim-steps';

/** The programme claim workflow's activities: its steps (usecases/programme-claim-steps.ts), one activity each. */
export const createProgrammeActivities = (deps: ActivityDeps) => programmeClaimSteps(deps);

export type ProgrammeActivities = ReturnType<typeof createProgrammeActivities>;
