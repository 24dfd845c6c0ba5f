import { ACCOUNT_CODE, MAX_PAGE_SIZE, accountBalance, listEntries, trialBalance, verifyLedger } from '../db/ledger';
import { DomainError } from '../domain/errors';
import type { RecordsDeps } from './deps';

/** The ledger's reads for the finance bureau and the auditor; its refusals keep their codes (api/errors.ts). */
export { ACCOUNT_CODE, MAX_PAGE_SIZE };

export async function ledgerEntries(deps: RecordsDeps, f: NonNullable<Parameters<typeof listEntries>[1]>) {
  if (f.from && f.to && f.from > f.to) {
    throw new DomainError('VALIDATION_FAILED', 'from must not be after to', [{ path: 'from', message: 'must not be after to' }]);
  }
  return listEntries(deps.db, f);
}

export const ledgerTrialBalance = (deps: RecordsDeps, asOf?: string) => trialBalance(deps.db, asOf);

export const ledgerAccountBalance = (deps: RecordsDeps, code: string, asOf?: string) => accountBalance(deps.db, code, asOf);

/** Recomputes the hash chain and the balances from the rows (read-only). */
export const verifyLedgerNow = (deps: RecordsDeps) => verifyLedger(deps.db);
