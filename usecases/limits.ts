import { limitCounters, type LimitCounters } from '../db/repositories/limit-counters';
import type { RecordsDeps } from './deps';

/** The counters the API's rate limits keep (sign-ins, reads of other people's records), in the records. */
export function limitCountersOf(deps: RecordsDeps): LimitCounters {
  return limitCounters(deps.db);
}
