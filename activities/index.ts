import type { ActivityDeps } from './deps';
import { createSystemActivities } from './system';
import { createApplicationActivities } from './applications';
import { createLoanActivities } from './loans';
import { createSubsidyActivities } from './subsidy';
import { createLedgerActivities } from './ledger';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps),
    ...createApplicationActivities(deps),
    ...createLoanActivities(deps),
    ...createSubsidyActivities(deps),
    ...createLedgerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
