import type { Knex } from 'knex';
import type { StepDeps } from './deps';
import type { Actor, ClaimState, ClaimStatus } from '../workflows/definitions';
import { audit } from '../db/repositories/audit';
import { NothingToClaim, claimBasics, fileClaimRow, type ClaimRow } from '../db/repositories/subsidy';
import { InsufficientBudgetError, findFund, payOut, reserveBudget } from '../db/ledger';

type Trx = Knex.Transaction;

export type FilingOutcome = { ok: true; claim: ClaimState } | { ok: false; type: 'CONFLICT' | 'UNPROCESSABLE'; message: string };

export interface ClaimDecisionRecord {
  claimId: string;
  actor: Actor;
  requestId: string;
  clientRequestId?: string | null;
  reason: string;
  today: string;
}

export type PaymentOutcome = { status: Extract<ClaimStatus, 'PAID' | 'PENDING_BUDGET'>; note: string | null; fundId: string | null };

function claimState(row: ClaimRow, note: string | null = null): ClaimState {
  const basics = claimBasics(row);
  return { ...basics, status: basics.status as ClaimStatus, note };
}

/** The steps of a subsidy claim's workflow, each run by an activity (activities/subsidy.ts). */
export function claimSteps({ db, clock }: StepDeps) {
  /** Moves a claim from one status to another; false when an earlier attempt already did (a retry). */
  async function transition(trx: Trx, claimId: string, from: ClaimStatus[], set: Record<string, unknown>): Promise<boolean> {
    const n = await trx('subsidy_claims').where({ id: claimId }).whereIn('status', from).update({ ...set, updated_at: clock.now() });
    return n > 0;
  }

  /**
   * Reserve from the fund and pay the bank, in a savepoint: when the fund's available budget is
   * short the ledger refuses (never overspent) and the claim waits in PENDING_BUDGET instead.
   */
  async function tryPayment(trx: Trx, claim: ClaimRow, financeBureauId: string, today: string): Promise<PaymentOutcome> {
    const year = Number(today.slice(0, 4));
    const fund = await findFund(trx, financeBureauId, year, 'interest_subsidy');
    if (!fund) {
      await trx('subsidy_claims').where({ id: claim.id }).update({ status: 'PENDING_BUDGET', updated_at: clock.now() });
      return { status: 'PENDING_BUDGET', note: `no special fund for ${year} yet`, fundId: null };
    }
    const meta = { claimId: claim.id, bankId: claim.bank_id, quarter: claim.quarter };
    try {
      const payout = await trx.transaction(async (sp) => {
        await reserveBudget(sp, {
          fundId: fund.id, amount: claim.total, postedOn: today, idempotencyKey: `subsidy-claim:${claim.id}:reserve`,
          description: `Subsidy claim ${claim.quarter} of bank ${claim.bank_id} approved`, metadata: meta,
        });
        return payOut(sp, {
          fundId: fund.id, bankOrgId: claim.bank_id, amount: claim.total, postedOn: today, idempotencyKey: `subsidy-claim:${claim.id}:payout`,
          description: `Interest subsidy ${claim.quarter} paid to bank ${claim.bank_id}`, metadata: meta,
        });
      });
      await trx('subsidy_claims')
        .where({ id: claim.id })
        .update({ status: 'PAID', fund_id: fund.id, paid_on: today, payout_entry_id: payout.id, updated_at: clock.now() });
      return { status: 'PAID', note: null, fundId: fund.id };
    } catch (e) {
      if (!(e instanceof InsufficientBudgetError)) throw e;
      await trx('subsidy_claims').where({ id: claim.id }).update({ status: 'PENDING_BUDGET', fund_id: fund.id, updated_at: clock.now() });
      return { status: 'PENDING_BUDGET', note: e.message, fundId: fund.id };
    }
  }

  return {
    /**
     * Files the bank's claim for a quarter: it covers the on-time periods due in the quarter that no
     * claim still standing holds, which the database decides as it stores the claim's one row.
     */
    async fileClaim(r: { claimId: string; bankId: string; quarter: string; workflowId: string; filedOn: string; late: boolean; actor: Actor; requestId: string; clientRequestId?: string | null }): Promise<FilingOutcome> {
      try {
        return await db.transaction(async (trx) => {
          const existing: ClaimRow | undefined = await trx('subsidy_claims').where({ id: r.claimId }).first();
          if (existing) return { ok: true, claim: claimState(existing) };
          const at = clock.now();
          const row = await fileClaimRow(trx, {
            id: r.claimId, bankId: r.bankId, quarter: r.quarter, workflowId: r.workflowId, late: r.late, filedOn: r.filedOn, filedBy: r.actor.userId, at,
          });
          await audit(trx, {
            key: `subsidy-claim:${r.claimId}:file`, at, actor: r.actor, action: 'subsidy_claim.file', entityType: 'subsidy_claim', entityId: r.claimId,
            requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { quarter: r.quarter, total: row.total, lines: row.line_count, late: r.late },
          });
          return { ok: true, claim: claimState(row) };
        });
      } catch (e) {
        if (!(e instanceof NothingToClaim)) throw e;
        return e.heldBy
          ? { ok: false, type: 'CONFLICT', message: `Every on-time period of ${r.quarter} has been claimed already (claim ${e.heldBy}); nothing is left to claim` }
          : { ok: false, type: 'UNPROCESSABLE', message: `No on-time period of this bank's loans was due in ${r.quarter}; there is nothing to claim` };
      }
    },

    /** The finance officer's check (maker): CHECKED, or REJECTED, which frees what it covered for a refiled claim (its status does). */
    async checkClaim(r: ClaimDecisionRecord & { decision: 'approve' | 'reject' }): Promise<ClaimState> {
      return db.transaction(async (trx) => {
        const at = clock.now();
        const approve = r.decision === 'approve';
        const moved = await transition(
          trx,
          r.claimId,
          ['SUBMITTED'],
          approve
            ? { status: 'CHECKED', checked_by: r.actor.userId, checked_at: at, check_reason: r.reason || null }
            : { status: 'REJECTED', checked_by: r.actor.userId, checked_at: at, rejected_by: r.actor.userId, rejected_at: at, rejection_reason: r.reason },
        );
        if (moved) {
          await audit(trx, {
            key: `subsidy-claim:${r.claimId}:check`, at, actor: r.actor, action: `subsidy_claim.check.${r.decision}`, entityType: 'subsidy_claim',
            entityId: r.claimId, reason: r.reason || null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null,
          });
        }
        return claimState(await trx('subsidy_claims').where({ id: r.claimId }).first());
      });
    },

    /**
     * The finance approver's decision (checker, not the checker of the claim): approval reserves the
     * total from the special fund of the year and posts the payout to the bank, or leaves the claim
     * PENDING_BUDGET when the fund cannot cover it; rejection frees the lines.
     */
    async approveClaim(r: ClaimDecisionRecord & { decision: 'approve' | 'reject' }): Promise<ClaimState> {
      return db.transaction(async (trx) => {
        const at = clock.now();
        if (r.decision === 'reject') {
          const moved = await transition(trx, r.claimId, ['CHECKED', 'PENDING_BUDGET'], {
            status: 'REJECTED', rejected_by: r.actor.userId, rejected_at: at, rejection_reason: r.reason,
          });
          if (moved) {
            await audit(trx, {
              key: `subsidy-claim:${r.claimId}:approval`, at, actor: r.actor, action: 'subsidy_claim.approval.reject', entityType: 'subsidy_claim',
              entityId: r.claimId, reason: r.reason, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null,
            });
          }
          return claimState(await trx('subsidy_claims').where({ id: r.claimId }).first());
        }
        const moved = await transition(trx, r.claimId, ['CHECKED'], { approved_by: r.actor.userId, approved_at: at, approval_reason: r.reason || null });
        let outcome: PaymentOutcome | undefined;
        if (moved) {
          const claim: ClaimRow = await trx('subsidy_claims').where({ id: r.claimId }).first();
          outcome = await tryPayment(trx, claim, r.actor.orgId!, r.today);
          await audit(trx, {
            key: `subsidy-claim:${r.claimId}:approval`, at, actor: r.actor, action: 'subsidy_claim.approval.approve', entityType: 'subsidy_claim',
            entityId: r.claimId, reason: r.reason || null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: outcome,
          });
        }
        return claimState(await trx('subsidy_claims').where({ id: r.claimId }).first(), outcome?.note ?? null);
      });
    },

    /** A claim waiting for budget tries its payout again (after a top-up). */
    async retryClaimPayment(r: { claimId: string; key: string; today: string; actor: Actor | null; requestId: string | null; clientRequestId?: string | null }): Promise<ClaimState> {
      return db.transaction(async (trx) => {
        const claim: ClaimRow = await trx('subsidy_claims').where({ id: r.claimId }).forUpdate().first();
        if (claim.status !== 'PENDING_BUDGET') return claimState(claim);
        const approver = await trx('users').where({ id: claim.approved_by }).first('org_id');
        const outcome = await tryPayment(trx, claim, approver.org_id, r.today);
        if (outcome.status === 'PAID') {
          await audit(trx, {
            key: r.key, at: clock.now(), actor: r.actor, action: 'subsidy_claim.paid_after_top_up', entityType: 'subsidy_claim',
            entityId: r.claimId, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: outcome,
          });
        }
        return claimState(await trx('subsidy_claims').where({ id: r.claimId }).first(), outcome.note);
      });
    },
  };
}

export type ClaimSteps = ReturnType<typeof claimSteps>;
