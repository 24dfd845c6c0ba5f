import type { ActivityDeps } from './deps';
import { finalOnBadData } from './failures';
import { createSystemActivities } from './system';
import { createApplicationActivities } from './applications';
import { createLoanActivities } from './loans';
import { createFollowUpActivities } from './follow-up';
import { createSubsidyActivities } from './subsidy';
import { createProgrammeActivities } from './programmes';
import { createLedgerActivities } from './ledger';
import { createHousekeepingActivities } from './housekeeping';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return finalOnBadData({
    ...createSystemActivities(deps),
    ...createApplicationActivities(deps),
    ...createLoanActivities(deps),
    ...createFollowUpActivities(deps),
    ...createSubsidyActivities(deps),
    ...createProgrammeActivities(deps),
    ...createLedgerActivities(deps),
    ...createHousekeepingActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
