import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { MemoryTable, workflowWorld, actor, meta, refusal, BUREAU, bureauOfficer as officer, bureauApprover as approver, type WorkflowWorld } from './harness';
import { programmeClaim } from '../../workflows/programme-claim';
import {
  programmeApprovalUpdate,
  programmeCheckUpdate,
  programmeClaimStateQuery,
  programmeClaimWorkflowId,
  programmeFilingUpdate,
  type ProgrammeClaimInput,
  type ProgrammeClaimState,
} from '../../workflows/definitions';

const trainer = actor('training_officer', 'org-training', 'trainer');
const labour = actor('labour_officer', 'org-labour', 'labour');
const otherLabour = actor('labour_officer', 'org-labour', 'labour-2');

/**
 * The programme claim's workflow (training subsidy, incubator rewards; docs/programmes.md) with
 * its activities in memory: the check's and the approval's validators, waiting for budget, the
 * filing's refusal, and the end of the workflow once the claim is decided.
 */
describe('workflow unit: programmeClaim (time-skipping, activities in memory)', function () {
  let world: WorkflowWorld;
  const claims = new MemoryTable<ProgrammeClaimState>();
  let budget = 'enough' as 'enough' | 'short';
  let filing: 'ok' | 'conflict' | 'bad data' = 'ok';
  let mismatches = 0;
  const checkerRoles = new Map<string, string | undefined>();

  before(async () => {
    world = await workflowWorld({
      fileProgrammeClaim: async (r: { input: ProgrammeClaimInput; checkerRole?: string }) => {
        checkerRoles.set(r.input.claimId, r.checkerRole);
        if (filing === 'bad data') throw ApplicationFailure.create({ type: 'UNPROCESSABLE', message: 'refused by the database', nonRetryable: true });
        if (filing === 'conflict') return { ok: false, type: 'CONFLICT', message: 'claimed already', details: [{ path: 'trainees', message: 'claimed already' }] };
        const claim: ProgrammeClaimState = { id: r.input.claimId, programme: r.input.programme, status: 'FILED', amount: '1800.00', mismatches, checkedBy: null, note: null };
        claims.set(r.input.claimId, claim);
        return { ok: true, claim };
      },
      checkProgrammeClaim: async (r: { claimId: string; decision: string; actor: { userId: string } }) =>
        claims.update(r.claimId, r.decision === 'refuse' ? { status: 'REFUSED' } : { status: 'CHECKED', checkedBy: r.actor.userId, mismatches: 0, amount: r.decision === 'adjust' ? '1200.00' : '1800.00' }),
      approveProgrammeClaim: async (r: { claimId: string; decision: string }) =>
        claims.update(r.claimId, r.decision === 'reject' ? { status: 'REJECTED' } : { status: budget === 'enough' ? 'PAID' : 'PENDING_BUDGET' }),
    } as never);
  });
  after(async () => world?.close());
  beforeEach(() => {
    budget = 'enough';
    filing = 'ok';
    mismatches = 0;
  });

  async function file(programme: ProgrammeClaimInput['programme'] = 'training_subsidy') {
    const claimId = randomUUID();
    const filingInput: ProgrammeClaimInput['filing'] =
      programme === 'training_subsidy'
        ? { programme, training: { part: 'base', course: 'SYB', classRef: 'C-1', enrolled: 3, trainees: [] } }
        : { programme, reward: { enterpriseId: randomUUID(), kind: 'high_tech', exchange: null, documentNo: 'GR-1', eventOn: '2026-01-01' } };
    const h = await world.env.client.workflow.start(programmeClaim, {
      taskQueue: world.taskQueue,
      workflowId: programmeClaimWorkflowId(programme, claimId),
      args: [{ programme, claimId, filing: filingInput, meta: meta(programme === 'training_subsidy' ? trainer : officer) }],
    });
    return { h, claimId, filed: await h.executeUpdate(programmeFilingUpdate) };
  }
  const check = (h: WorkflowHandle, decision: 'accept' | 'adjust' | 'refuse', who = labour, reason?: string) =>
    h.executeUpdate(programmeCheckUpdate, { args: [{ decision, reason }, meta(who)] });
  const approve = (h: WorkflowHandle, decision: 'approve' | 'reject' = 'approve', who = approver, reason?: string) =>
    h.executeUpdate(programmeApprovalUpdate, { args: [{ decision, reason }, meta(who)] });

  it('files, is checked by the labour officer, approved by a finance approver and paid; then ends', async () => {
    const { h, filed, claimId } = await file();
    expect(filed).to.deep.include({ outcome: 'filed' });
    expect(checkerRoles.get(claimId), 'the filing names its checker').to.equal('labour_officer');
    expect((await refusal(approve(h))).type, 'no approval before the check').to.equal('INVALID_STATE');
    expect((await refusal(check(h, 'accept', approver))).type, 'the approver does not check').to.equal('FORBIDDEN');
    const byFinance = await refusal(check(h, 'accept', officer));
    expect(byFinance.type, 'the finance officer no longer checks a training claim').to.equal('FORBIDDEN');
    expect(byFinance.message).to.contain('labour_officer');
    expect((await check(h, 'accept')).status).to.equal('CHECKED');
    expect((await refusal(check(h, 'accept', otherLabour))).type, 'one check').to.equal('INVALID_STATE');
    expect((await refusal(approve(h, 'approve', labour))).type, 'the labour officer never approves').to.equal('FORBIDDEN');
    expect((await refusal(approve(h, 'approve', officer))).type, 'an officer never approves').to.equal('FORBIDDEN');
    expect((await approve(h)).status).to.equal('PAID');
    expect((await h.result()).status).to.equal('PAID');
  });

  it('accepting a claim whose trainees do not match is refused: adjust or refuse; a refusal needs a reason and ends it', async () => {
    mismatches = 1;
    const { h } = await file();
    const r = await refusal(check(h, 'accept'));
    expect(r.type).to.equal('VALIDATION_FAILED');
    expect(r.details).to.deep.equal([{ path: 'decision', message: 'adjust or refuse while trainees do not match' }]);
    expect((await refusal(check(h, 'refuse'))).type).to.equal('VALIDATION_FAILED');
    expect((await check(h, 'adjust', labour, 'one certificate names another person')).amount).to.equal('1200.00');
    // Decided before waiting on the other claim's result: that wait lets the time-skipping server
    // skip ahead, past this claim's deadlines.
    await approve(h);

    const second = await file();
    expect((await check(second.h, 'refuse', labour, 'no such class')).status).to.equal('REFUSED');
    expect((await second.h.result()).status).to.equal('REFUSED');
  });

  it('a reward is checked by the finance officer, never adjusted', async () => {
    const { h, claimId } = await file('incubator_rewards');
    expect(checkerRoles.get(claimId)).to.equal('finance_officer');
    expect((await refusal(check(h, 'accept', labour))).type, 'the labour officer checks training claims only').to.equal('FORBIDDEN');
    expect((await refusal(check(h, 'adjust', officer))).type).to.equal('VALIDATION_FAILED');
    await check(h, 'accept', officer);
    await approve(h, 'reject', approver, 'the evidence is of another enterprise');
    expect((await h.result()).status).to.equal('REJECTED');
  });

  it('the checker never approves, even holding the approver role by then', async () => {
    const { h } = await file();
    await check(h, 'accept', labour);
    // The same person (user id) as the checker, signed in with the approver's role.
    expect((await refusal(approve(h, 'approve', { ...approver, userId: labour.userId }))).type).to.equal('FORBIDDEN');
    await approve(h);
  });

  it('waits for budget, and is paid when approved again', async () => {
    budget = 'short';
    const { h } = await file();
    await check(h, 'accept');
    expect((await approve(h)).status).to.equal('PENDING_BUDGET');
    expect((await h.query(programmeClaimStateQuery)).status).to.equal('PENDING_BUDGET');
    budget = 'enough';
    expect((await approve(h)).status).to.equal('PAID');
    expect((await h.result()).status).to.equal('PAID');
  });

  it('a refused filing answers its refusal and ends; bad data too', async () => {
    filing = 'conflict';
    const conflict = await file();
    expect(conflict.filed).to.deep.include({ outcome: 'refused', type: 'CONFLICT' });
    expect((await conflict.h.result()).status).to.equal('REFUSED');
    filing = 'bad data';
    const bad = await file();
    expect(bad.filed).to.deep.include({ outcome: 'refused', type: 'UNPROCESSABLE' });
    expect((await bad.h.result()).status).to.equal('REFUSED');
  });
});
