import { proxyActivities } from '@temporalio/workflow';
import type { LedgerActivities } from '../activities/ledger';

const { ledgerSeal } = proxyActivities<Pick<LedgerActivities, 'ledgerSeal'>>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export const LEDGER_SEALING_SCHEDULE_ID = 'ledger-sealing';

/**
 * Chains committed, unsealed ledger entries into the hash chain. Run by a Temporal schedule
 * (scripts/lib/schedules.ts) every minute, so sealing trails writers instead of blocking them.
 */
export async function ledgerSealing(): Promise<{ seals: number; entries: number; headHash: string }> {
  return ledgerSeal();
}
