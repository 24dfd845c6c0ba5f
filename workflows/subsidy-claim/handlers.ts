import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, Turns, answerWhenReady } from '../common';
import type { SubsidyActivities } from '../../activities/subsidy';
import { businessDateOf } from '../../domain/business-day';
import type { ClaimDecision } from '../../domain/loan-schemas';
import { claimApprovalUpdate, claimCheckUpdate, claimPaymentRetryUpdate, claimStateQuery, filingUpdate, type ClaimDecisionMeta, type ClaimState } from '../definitions';
import type { ClaimMachine } from './state';

/**
 * A claim's steps write one row per line, and a large bank's quarter has hundreds of thousands:
 * filing 300,000 lines took 11–42 s on the benchmark machine (docs/benchmarks.md, bench:claims),
 * past the 30 s other activities get. A step cut off by its timeout would be retried while the first
 * attempt still held its transaction.
 */
export const acts = proxyActivities<SubsidyActivities>({ ...ACTIVITY_OPTIONS, startToCloseTimeout: '10 minutes' });

export const today = () => businessDateOf(Date.now());

/** One run of a claim: its machine and the turns its decisions take. */
export class ClaimRun {
  // One decision at a time, in arrival order, each validated again on its turn (workflows/common.ts).
  readonly turns = new Turns();
  private attempts = 0;

  constructor(readonly m: ClaimMachine) {}

  decide(validate: () => void, fn: () => Promise<ClaimState>): Promise<ClaimState> {
    return this.turns.take(async () => {
      validate();
      // The activity answers with the claim as it now stands in the database.
      Object.assign(this.m.state, await fn());
      return this.m.state;
    });
  }

  /** Each payout attempt of this run has a key of its own. */
  paymentKey(): string {
    return `${workflowInfo().workflowId}:${workflowInfo().runId}:pay:${++this.attempts}`;
  }
}

/** The claim's query and updates: the finance officer's check, the approver's decision, a payout retry. */
export function setClaimHandlers(run: ClaimRun): void {
  const { m } = run;
  const { input } = m;
  setHandler(claimStateQuery, () => m.state);
  answerWhenReady(filingUpdate, () => m.filing);

  /** What the check and the approval record: who decided what, why, and when. */
  const decision = (d: ClaimDecision, meta: ClaimDecisionMeta) => ({
    claimId: input.claimId, actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, reason: d.reason, today: today(), decision: d.decision,
  });
  setHandler(claimCheckUpdate, (d, meta) => run.decide(() => m.checkCheck(d, meta), () => acts.checkClaim(decision(d, meta))), {
    validator: (d, meta) => m.checkCheck(d, meta),
  });
  setHandler(claimApprovalUpdate, (d, meta) => run.decide(() => m.checkApproval(d, meta), () => acts.approveClaim(decision(d, meta))), {
    validator: (d, meta) => m.checkApproval(d, meta),
  });

  setHandler(
    claimPaymentRetryUpdate,
    (meta) =>
      run.decide(
        () => m.checkPaymentRetry(meta),
        () =>
          acts.retryClaimPayment({
            claimId: input.claimId,
            key: run.paymentKey(),
            today: today(),
            actor: meta.actor,
            requestId: meta.requestId,
            clientRequestId: meta.clientRequestId ?? null,
          }),
      ),
    { validator: (meta) => m.checkPaymentRetry(meta) },
  );
}
