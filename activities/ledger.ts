import type { ActivityDeps } from './deps';
import { sealLedger } from '../db/ledger';

/**
 * The ledger's own activity: sealing its hash chain (the ledger-sealing workflow). Postings are not
 * activities of their own: each step posts inside its own transaction, with its read model and
 * audit row (usecases/*-steps.ts).
 */
export function createLedgerActivities({ db }: ActivityDeps) {
  return {
    /** Chains what has committed since the last seal. */
    async ledgerSeal(): Promise<{ seals: number; entries: number; headHash: string }> {
      return sealLedger(db);
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
