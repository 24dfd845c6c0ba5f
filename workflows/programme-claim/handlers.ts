import { proxyActivities, setHandler } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, Turns, answerWhenReady } from '../common';
import type { ProgrammeActivities } from '../../activities/programmes';
import { businessDateOf } from '../../domain/business-day';
import { programmeApprovalUpdate, programmeCheckUpdate, programmeClaimStateQuery, programmeFilingUpdate, type DecisionMeta, type ProgrammeClaimState } from '../definitions';
import type { ProgrammeClaimMachine } from './state';

export const acts = proxyActivities<ProgrammeActivities>(ACTIVITY_OPTIONS);

export const today = () => businessDateOf(Date.now());

/** The claim's query and its two decisions, one at a time (workflows/common.ts, Turns). */
export function setProgrammeClaimHandlers(m: ProgrammeClaimMachine): Turns {
  const turns = new Turns();
  let approvals = 0;
  const decide = (validate: () => void, fn: () => Promise<ProgrammeClaimState>) =>
    turns.take(async () => {
      validate();
      Object.assign(m.state, await fn());
      return m.state;
    });
  const record = (meta: DecisionMeta) => ({
    programme: m.input.programme, claimId: m.input.claimId, actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, today: today(),
  });
  setHandler(programmeClaimStateQuery, () => m.state);
  answerWhenReady(programmeFilingUpdate, () => m.filing);
  setHandler(programmeCheckUpdate, (d, meta) => decide(() => m.checkCheck(d, meta), () => acts.checkProgrammeClaim({ ...record(meta), ...d })), {
    validator: (d, meta) => m.checkCheck(d, meta),
  });
  setHandler(
    programmeApprovalUpdate,
    // Each approval of this claim (a first one, another after a top-up) is its own audit row.
    (d, meta) => decide(() => m.checkApproval(d, meta), () => acts.approveProgrammeClaim({ ...record(meta), ...d, attempt: ++approvals })),
    { validator: (d, meta) => m.checkApproval(d, meta) },
  );
  return turns;
}
