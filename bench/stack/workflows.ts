// The benchmarks' workflow bundle: every loanflow workflow, and the baselines they are measured
// against, on the same worker. Bundled and sandboxed like workflows/index.ts: import only
// @temporalio/workflow and types.
import { ParentClosePolicy, condition, proxyLocalActivities, setHandler, sleep, startChild } from '@temporalio/workflow';
import {
  counterGuaranteeUpdate,
  disbursalUpdate,
  guaranteeApprovalUpdate,
  guaranteeReviewUpdate,
  intakeUpdate,
  type ApplicationState,
  type IntakeResult,
} from '../../workflows/definitions';
import type { BenchActivities } from './activities';

export * from '../../workflows';

/** What the baselines answer: the shape of the real answers, nothing computed. */
const state = (id: string): ApplicationState => ({
  id, status: 'AWAITING_COUNTER_GUARANTEE', requestedAmount: '80000.00', recommendedAmount: null, approvedAmount: null,
  loanId: null, stepDeadline: null, endReason: null, history: [], incidents: [],
});

/**
 * The application's five updates (intake, counter-guarantee, review, approval, disbursal), each
 * answered at once; ends after the disbursal. `disburse`, when given, runs before the disbursal's answer.
 */
async function fiveUpdates(id: string, disburse?: () => Promise<void>): Promise<void> {
  let done = 0;
  const s = state(id);
  const answer = () => {
    done += 1;
    return s;
  };
  setHandler(intakeUpdate, (): IntakeResult => ({ outcome: 'accepted', state: answer(), violations: [] }));
  setHandler(counterGuaranteeUpdate, answer);
  setHandler(guaranteeReviewUpdate, answer);
  setHandler(guaranteeApprovalUpdate, answer);
  setHandler(
    disbursalUpdate,
    disburse
      ? async () => {
          await disburse();
          return answer();
        }
      : answer,
  );
  await condition(() => done === 5);
}

/** bench:workflow's baseline: the five updates; no activity, no timer. */
export async function noopApplication(id: string): Promise<void> {
  await fiveUpdates(id);
}

/** A child that waits, as a loan or its follow-up visits wait between their dates. */
export async function noopChild(): Promise<void> {
  await sleep('30 days');
}

/**
 * bench:workflow's second, informative baseline: noopApplication whose disbursal starts two
 * children (as the real one starts the loan's and the follow-up visits' workflows) and answers
 * once the first has started. What the path costs by its shape (three workflows), not its steps.
 */
export async function noopApplicationWithChildren(id: string): Promise<void> {
  await fiveUpdates(id, async () => {
    const loan = startChild(noopChild, { workflowId: `bench-noop-loan-${id}`, parentClosePolicy: ParentClosePolicy.ABANDON });
    void startChild(noopChild, { workflowId: `bench-noop-follow-up-${id}`, parentClosePolicy: ParentClosePolicy.ABANDON });
    await loan;
  });
}

const local = proxyLocalActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * bench:api-post's baseline: the intake update started with its workflow (update-with-start),
 * answered after one activity that does nothing, run as the intake's step is run (a local activity).
 */
export async function noopIntake(id: string): Promise<void> {
  let answered = false;
  setHandler(intakeUpdate, async (): Promise<IntakeResult> => {
    await local.benchNothing();
    answered = true;
    return { outcome: 'accepted', state: state(id), violations: [] };
  });
  await condition(() => answered);
}
