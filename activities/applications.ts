import type { ActivityDeps } from './deps';
import { applicationSteps } from '../usecases/application-steps';

export type { StepRecord, StepChanges, ViolationList, Registration } from '../usecases/application-steps';

/** The application workflow's activities: its steps (usecases/application-steps.ts). */
export function createApplicationActivities(deps: ActivityDeps) {
  const steps = applicationSteps(deps);
  return {
    registerApplication: steps.registerApplication,
    checkIntake: steps.checkIntake,
    recordStep: steps.recordStep,
    recordDisbursal: steps.recordDisbursal,
  };
}

export type ApplicationActivities = ReturnType<typeof createApplicationActivities>;
