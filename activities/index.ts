import type { ActivityDeps } from './deps';
import { createSystemActivities } from './system';
import { createApplicationActivities } from './applications';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps),
    ...createApplicationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
