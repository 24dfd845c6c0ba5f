import { allHandlersFinished, condition, log, workflowInfo } from '@temporalio/workflow';
import { finalRefusal } from '../common';
import { claimIsLate } from '../../domain/claim-rules';
import type { ClaimInput, ClaimState } from '../definitions';
import { ClaimMachine } from './state';
import { ClaimRun, acts, setClaimHandlers, today } from './handlers';

/**
 * One filing of a bank's interest-subsidy claim for a quarter (docs/domain.md §1.7), workflow id
 * subsidy-claim-<bankId>-<quarter>: so a bank has at most one claim in progress per quarter, and
 * files again (a new run) after a rejection or for periods reported after a paid claim.
 * The finance officer checks, a different finance approver approves; approval pays from the
 * special fund, or the claim waits in PENDING_BUDGET until a top-up (or a finance user) retries it.
 */
export async function subsidyClaim(input: ClaimInput): Promise<ClaimState> {
  const m = new ClaimMachine(input);
  const run = new ClaimRun(m);
  setClaimHandlers(run);

  // ---- filing ---------------------------------------------------------------------------------
  const filedOn = today();
  if (m.refuseUnendedQuarter(filedOn)) {
    await condition(allHandlersFinished);
    return m.state;
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
    m.refused(filed.type, filed.message);
    await condition(allHandlersFinished);
    return m.state;
  }
  m.filed(filed.claim);

  // ---- decisions; a claim short of budget waits until a top-up retries its payout ----------------
  await condition(() => m.decided && run.turns.idle && allHandlersFinished());
  return m.state;
}
