import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import {
  LedgerError,
  accrueSubsidy,
  allocateBudget,
  payOut,
  postEntry,
  releaseReservation,
  reserveBudget,
  reverseEntry,
  sealLedger,
  verifyLedger,
  type PostedEntry,
  type VerifyReport,
} from '../db/ledger';

/**
 * Ledger activities for workflows that only need a posting (when a step also writes the read model
 * and an audit row, call postEntry(trx, ...) inside that step's own transaction instead).
 *
 * Amounts are decimal strings (Temporal payloads never carry a Decimal or a float). Keys come from
 * the workflow: `${workflowId}:${step}` — a retried activity replays its first entry. A ledger
 * refusal (insufficient budget, closed period, key reused with other content, unbalanced entry...)
 * fails the activity without retry, with the error's class as the failure type and its code and
 * details in the failure details; anything else (connection lost...) is retried by Temporal.
 */

export interface LedgerLinePayload {
  account: string;
  side: 'debit' | 'credit';
  amount: string;
}

export interface LedgerPostPayload {
  idempotencyKey: string;
  postedOn: string;
  kind: string;
  description?: string;
  lines: LedgerLinePayload[];
  metadata?: Record<string, unknown>;
}

/** What a workflow gets back: small, and money as strings. */
export interface LedgerEntryResult {
  entryId: number;
  replayed: boolean;
  postedOn: string;
  kind: string;
}

export interface FundPostingPayload {
  fundId: string;
  amount: string;
  postedOn: string;
  idempotencyKey: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

const result = (e: PostedEntry): LedgerEntryResult => ({ entryId: e.id, replayed: e.replayed, postedOn: e.postedOn, kind: e.kind });

/** Ledger refusals are final for the workflow; infrastructure errors are Temporal's to retry. */
async function refusalsFinal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LedgerError) {
      throw ApplicationFailure.nonRetryable(e.message, e.name, { code: e.code, details: e.details });
    }
    throw e;
  }
}

export function createLedgerActivities({ db }: ActivityDeps) {
  return {
    async ledgerPost(input: LedgerPostPayload): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await postEntry(db, input)));
    },

    async ledgerReverse(input: { entryId: number; idempotencyKey: string; postedOn: string; description?: string }): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await reverseEntry(db, input)));
    },

    async fundAllocate(input: FundPostingPayload): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await allocateBudget(db, input)));
    },

    /** A claim approved: hold its amount out of the fund's available budget (InsufficientBudgetError when short). */
    async fundReserve(input: FundPostingPayload): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await reserveBudget(db, input)));
    },

    async fundRelease(input: FundPostingPayload): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await releaseReservation(db, input)));
    },

    async fundPayout(input: FundPostingPayload & { bankOrgId: string; fromReservation?: boolean }): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await payOut(db, input)));
    },

    async subsidyAccrue(input: { bankOrgId: string; amount: string; postedOn: string; idempotencyKey: string; description?: string }): Promise<LedgerEntryResult> {
      return refusalsFinal(async () => result(await accrueSubsidy(db, input)));
    },

    /** Chains what has committed since the last seal (for a periodic sealing workflow). */
    async ledgerSeal(): Promise<{ seals: number; entries: number; headHash: string }> {
      return sealLedger(db);
    },

    async ledgerVerify(): Promise<VerifyReport> {
      return verifyLedger(db);
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
