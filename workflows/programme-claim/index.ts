import { allHandlersFinished, condition, log, patched, workflowInfo } from '@temporalio/workflow';
import { finalRefusal } from '../common';
import { LABOUR_CHECK_PATCH, programmeCheckerRole, type ProgrammeClaimInput, type ProgrammeClaimState } from '../definitions';
import { ProgrammeClaimMachine } from './state';
import { acts, setProgrammeClaimHandlers, today } from './handlers';

/**
 * One claim of the training subsidy or the incubator rewards (docs/programmes.md), workflow id
 * training-claim-<id> or incubator-reward-<id>: filed (the caller waits on the filing update),
 * checked (a training claim by the labour bureau's officer, a reward by a finance officer),
 * approved by a finance approver who did not check it, and paid from the programme's fund, or left
 * waiting for budget until approved again.
 */
export async function programmeClaim(input: ProgrammeClaimInput): Promise<ProgrammeClaimState> {
  // A history begun before the labour officer existed has no marker here and keeps its checker.
  const checkerRole = programmeCheckerRole(input.programme, patched(LABOUR_CHECK_PATCH));
  const m = new ProgrammeClaimMachine(input, checkerRole);
  const turns = setProgrammeClaimHandlers(m);
  let filed: Awaited<ReturnType<typeof acts.fileProgrammeClaim>>;
  try {
    filed = await acts.fileProgrammeClaim({ input, workflowId: workflowInfo().workflowId, filedOn: today(), checkerRole });
  } catch (e) {
    const r = finalRefusal(e);
    if (!r) throw e;
    log.warn('filing refused for good', { type: r.type, message: r.message });
    filed = { ok: false, type: 'UNPROCESSABLE', message: r.message, details: [] };
  }
  if (!filed.ok) m.refused(filed.type, filed.message, filed.details);
  else m.filed(filed.claim);
  await condition(() => m.decided && turns.idle && allHandlersFinished());
  return m.state;
}
