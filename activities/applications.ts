import type { ActivityDeps } from './deps';
import { applicationSteps } from '../usecases/application-steps';

export type { StepRecord, StepChanges, ViolationList, IntakeRecord, IntakeOutcome } from '../usecases/application-steps';

/** The application workflow's activities: its steps (usecases/application-steps.ts), one activity each. */
export const createApplicationActivities = (deps: ActivityDeps) => applicationSteps(deps);

export type ApplicationActivities = ReturnType<typeof createApplicationActivities>;
