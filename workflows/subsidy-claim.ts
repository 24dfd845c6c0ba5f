import { allHandlersFinished, condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, Turns, fail, finalRefusal } from './common';
import type { ClaimDecision } from '../domain/loan-schemas';
import type { SubsidyActivities } from '../activities/subsidy';
import { businessDateOf } from '../domain/business-day';
import { addDays, quarterBounds } from '../domain/dates';
import { claimIsLate, quarterHasEnded } from '../domain/claim-rules';
import {
  claimApprovalUpdate,
  claimCheckUpdate,
  claimPaymentRetryUpdate,
  claimStateQuery,
  failureTypes,
  filingUpdate,
  type Actor,
  type ClaimDecisionMeta,
  type ClaimInput,
  type ClaimState,
  type FilingResult,
} from './definitions';

const acts = proxyActivities<SubsidyActivities>(ACTIVITY_OPTIONS);

/**
 * One filing of a bank's interest-subsidy claim for a quarter (SPEC §1 step 7), workflow id
 * subsidy-claim-<bankId>-<quarter>: so a bank has at most one claim in progress per quarter, and
 * files again (a new run) after a rejection or for periods reported after a paid claim.
 * The finance officer checks, a different finance approver approves; approval pays from the
 * special fund, or the claim waits in PENDING_BUDGET until a top-up (or a finance user) retries it.
 */
export async function subsidyClaim(input: ClaimInput): Promise<ClaimState> {
  const state: ClaimState = {
    id: input.claimId,
    bankId: input.bankId,
    quarter: input.quarter,
    status: 'SUBMITTED',
    late: false,
    lines: [],
    total: '0.00',
    checkedBy: null,
    note: null,
  };
  const today = () => businessDateOf(Date.now());
  let filing: FilingResult | undefined;
  // One decision at a time, in arrival order, each validated again on its turn (workflows/common.ts).
  const turns = new Turns();
  let attempts = 0;

  setHandler(claimStateQuery, () => state);
  setHandler(filingUpdate, async () => {
    await condition(() => filing !== undefined);
    return filing!;
  });

  function decide(validate: () => void, fn: () => Promise<ClaimState>): Promise<ClaimState> {
    return turns.take(async () => {
      validate();
      // The activity answers with the claim as it now stands in the database.
      Object.assign(state, await fn());
      return state;
    });
  }
  function requireStatus(claimId: string, allowed: ClaimState['status'][], what: string) {
    if (claimId !== input.claimId) fail(failureTypes.notCurrent, `claim ${claimId} is no longer in progress; claim ${input.claimId} is`);
    if (filing === undefined) fail(failureTypes.invalidState, 'The claim is still being filed; try again in a moment');
    if (!allowed.includes(state.status)) fail(failureTypes.invalidState, `${what} is not possible while the claim is ${state.status}`);
  }
  const requireRole = (actor: Actor, role: string, what: string) => {
    if (actor.role !== role) fail(failureTypes.forbidden, `${what} needs the ${role} role`);
  };

  const checkCheck = (_d: ClaimDecision, meta: ClaimDecisionMeta) => {
    requireRole(meta.actor, 'finance_officer', 'Checking a subsidy claim');
    requireStatus(meta.claimId, ['SUBMITTED'], 'A check');
  };
  setHandler(
    claimCheckUpdate,
    (d, meta) =>
      decide(
        () => checkCheck(d, meta),
        () => acts.checkClaim({ claimId: input.claimId, actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, reason: d.reason, today: today(), decision: d.decision }),
      ),
    { validator: checkCheck },
  );

  const checkApproval = (d: ClaimDecision, meta: ClaimDecisionMeta) => {
    requireRole(meta.actor, 'finance_approver', 'Approving a subsidy claim');
    requireStatus(meta.claimId, d.decision === 'approve' ? ['CHECKED'] : ['CHECKED', 'PENDING_BUDGET'], d.decision === 'approve' ? 'An approval' : 'A rejection');
    // Maker–checker: whoever checked may not also approve.
    if (meta.actor.userId === state.checkedBy) fail(failureTypes.forbidden, 'The approver must be a different person from the checker (maker–checker)');
  };
  setHandler(
    claimApprovalUpdate,
    (d, meta) =>
      decide(
        () => checkApproval(d, meta),
        () => acts.approveClaim({ claimId: input.claimId, actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, reason: d.reason, today: today(), decision: d.decision }),
      ),
    { validator: checkApproval },
  );

  const checkPaymentRetry = (meta: ClaimDecisionMeta) => {
    if (meta.actor.role !== 'finance_approver' && meta.actor.role !== 'finance_officer') fail(failureTypes.forbidden, 'Retrying a payout needs a finance role');
    requireStatus(meta.claimId, ['PENDING_BUDGET'], 'Retrying the payout');
  };
  setHandler(
    claimPaymentRetryUpdate,
    (meta) =>
      decide(
        () => checkPaymentRetry(meta),
        () =>
          acts.retryClaimPayment({
            claimId: input.claimId,
            key: `${workflowInfo().workflowId}:${workflowInfo().runId}:pay:${++attempts}`,
            today: today(),
            actor: meta.actor,
            requestId: meta.requestId,
            clientRequestId: meta.clientRequestId ?? null,
          }),
      ),
    { validator: checkPaymentRetry },
  );

  // ---- filing ---------------------------------------------------------------------------------
  const filedOn = today();
  if (!quarterHasEnded(input.quarter, filedOn)) {
    const opens = addDays(quarterBounds(input.quarter).end, 1);
    filing = {
      outcome: 'refused',
      type: failureTypes.validation,
      message: `quarter ${input.quarter} has not ended yet; its claims can be filed from ${opens}`,
      details: [{ path: 'quarter', message: `has not ended yet (claims open on ${opens})` }],
    };
    state.status = 'REFUSED';
    await condition(allHandlersFinished);
    return state;
  }
  let filed: Awaited<ReturnType<typeof acts.fileClaim>>;
  try {
    filed = await acts.fileClaim({
      claimId: input.claimId,
      bankId: input.bankId,
      quarter: input.quarter,
      workflowId: workflowInfo().workflowId,
      filedOn,
      late: claimIsLate(input.quarter, filedOn),
      actor: input.meta.actor,
      requestId: input.meta.requestId,
      clientRequestId: input.meta.clientRequestId ?? null,
    });
  } catch (e) {
    // Refused for good (bad data): the bank hears why; nothing was filed.
    const r = finalRefusal(e);
    if (!r) throw e;
    log.warn('filing refused for good', { type: r.type, message: r.message });
    filed = { ok: false, type: 'UNPROCESSABLE', message: r.message };
  }
  if (!filed.ok) {
    filing = { outcome: 'refused', type: filed.type, message: filed.message, details: [{ path: 'quarter', message: filed.message }] };
    state.status = 'REFUSED';
    state.note = filed.message;
    await condition(allHandlersFinished);
    return state;
  }
  Object.assign(state, filed.claim);
  filing = { outcome: 'filed', claim: state };

  // ---- decisions; a claim short of budget waits until a top-up retries its payout ----------------
  await condition(() => (state.status === 'PAID' || state.status === 'REJECTED') && turns.idle && allHandlersFinished());
  return state;
}
