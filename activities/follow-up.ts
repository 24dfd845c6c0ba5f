import type { ActivityDeps } from './deps';
import { followUpSteps } from '../usecases/follow-up-steps';

export type { FollowUpStep, VisitRecord } from '../usecases/follow-up-steps';

/** The follow-up workflow's activities: its steps (usecases/follow-up-steps.ts), one activity each. */
export const createFollowUpActivities = (deps: ActivityDeps) => followUpSteps(deps);

export type FollowUpActivities = ReturnType<typeof createFollowUpActivities>;
