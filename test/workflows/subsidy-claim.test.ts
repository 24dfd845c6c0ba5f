import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { MemoryTable, workflowWorld, actor, meta, refusal, bureauOfficer as officer, bureauApprover as approver, type WorkflowWorld } from './harness';
import { subsidyClaim } from '../../workflows/subsidy-claim';
import {
  claimApprovalUpdate,
  claimCheckUpdate,
  claimPaymentRetryUpdate,
  claimStateQuery,
  filingUpdate,
  subsidyClaimWorkflowId,
  type ClaimState,
} from '../../workflows/definitions';
import { businessDateOf } from '../../domain/business-day';
import { quarterOf, addDays } from '../../domain/dates';

const BANK = 'org-bank';
const bank = actor('bank_officer', BANK, 'bank');

describe('workflow unit: subsidyClaim (time-skipping, activities in memory)', function () {
  let world: WorkflowWorld;
  /** What the database says after each activity, per claim. */
  const claims = new MemoryTable<ClaimState>();
  let budget = 'enough' as 'enough' | 'short';
  let fileRefusedForGood = false;

  before(async () => {
    world = await workflowWorld({
      fileClaim: async (r: { claimId: string; bankId: string; quarter: string; late: boolean }) => {
        if (fileRefusedForGood) throw ApplicationFailure.create({ type: 'UNPROCESSABLE', message: 'refused by the database', nonRetryable: true });
        const claim: ClaimState = {
          id: r.claimId, bankId: r.bankId, quarter: r.quarter, status: 'SUBMITTED', late: r.late, lineCount: 1, total: '123.45', checkedBy: null, note: null,
        };
        claims.set(r.claimId, claim);
        return { ok: true, claim };
      },
      checkClaim: async (r: { claimId: string; decision: string; actor: { userId: string } }) =>
        claims.update(r.claimId, r.decision === 'approve' ? { status: 'CHECKED', checkedBy: r.actor.userId } : { status: 'REJECTED' }),
      approveClaim: async (r: { claimId: string; decision: string }) =>
        claims.update(r.claimId, r.decision === 'reject' ? { status: 'REJECTED' } : { status: budget === 'enough' ? 'PAID' : 'PENDING_BUDGET' }),
      retryClaimPayment: async (r: { claimId: string }) => claims.update(r.claimId, { status: budget === 'enough' ? 'PAID' : 'PENDING_BUDGET' }),
    } as never);
  });
  after(async () => world?.close());
  beforeEach(() => {
    budget = 'enough';
    fileRefusedForGood = false;
  });

  /** A quarter that ended before the server's today (or `quarter` as given). */
  async function file(quarter?: string): Promise<{ h: WorkflowHandle<typeof subsidyClaim>; claimId: string; filing: Awaited<ReturnType<WorkflowHandle['executeUpdate']>> }> {
    const today = businessDateOf(await world.env.currentTimeMs());
    const q = quarter ?? quarterOf(addDays(today, -120));
    const claimId = randomUUID();
    const bankId = `${BANK}-${claimId.slice(0, 8)}`;
    const h = await world.env.client.workflow.start(subsidyClaim, {
      taskQueue: world.taskQueue,
      workflowId: subsidyClaimWorkflowId(bankId, q),
      args: [{ claimId, bankId, quarter: q, meta: meta(bank) }],
    });
    return { h, claimId, filing: await h.executeUpdate(filingUpdate) };
  }
  const check = (h: WorkflowHandle, claimId: string, who = officer, decision: 'approve' | 'reject' = 'approve') =>
    h.executeUpdate(claimCheckUpdate, { args: [{ decision, reason: 'matches the records' }, { ...meta(who), claimId }] });
  const approve = (h: WorkflowHandle, claimId: string, who = approver, decision: 'approve' | 'reject' = 'approve') =>
    h.executeUpdate(claimApprovalUpdate, { args: [{ decision, reason: decision === 'reject' ? 'lines do not match' : '' }, { ...meta(who), claimId }] });

  it('refuses a filing for a quarter that has not ended, and ends', async () => {
    const today = businessDateOf(await world.env.currentTimeMs());
    const { h, filing } = await file(quarterOf(today));
    expect(filing).to.include({ outcome: 'refused', type: 'VALIDATION_FAILED' });
    expect((await h.result()).status).to.equal('REFUSED');
  });

  it('files, is checked by the officer and approved by another person, paid, and ends', async () => {
    const { h, claimId, filing } = await file();
    expect(filing).to.include({ outcome: 'filed' });
    expect((await check(h, claimId)).status).to.equal('CHECKED');
    expect((await approve(h, claimId)).status).to.equal('PAID');
    expect((await h.result()).status).to.equal('PAID');
  });

  it('maker–checker and roles: the checker may not approve, an officer may not approve, a bank may not check', async () => {
    const { h, claimId } = await file();
    expect((await refusal(check(h, claimId, bank))).type).to.equal('FORBIDDEN');
    await check(h, claimId);
    expect((await refusal(approve(h, claimId, officer))).type).to.equal('FORBIDDEN');
    const self = await refusal(approve(h, claimId, { ...approver, userId: officer.userId }));
    expect(self.type).to.equal('FORBIDDEN');
    expect(self.message).to.match(/different person from the checker/);
    expect((await h.query(claimStateQuery)).status).to.equal('CHECKED');
  });

  it('refuses a decision meant for another claim, and a step out of turn', async () => {
    const { h, claimId } = await file();
    expect((await refusal(check(h, randomUUID()))).type).to.equal('NOT_CURRENT');
    expect((await refusal(approve(h, claimId))).type).to.equal('INVALID_STATE');
  });

  it('waits in PENDING_BUDGET when the fund is short, and is paid when a retry finds budget', async () => {
    const { h, claimId } = await file();
    await check(h, claimId);
    budget = 'short';
    expect((await approve(h, claimId)).status).to.equal('PENDING_BUDGET');
    expect((await h.executeUpdate(claimPaymentRetryUpdate, { args: [{ ...meta(officer), claimId }] })).status).to.equal('PENDING_BUDGET');
    budget = 'enough';
    expect((await h.executeUpdate(claimPaymentRetryUpdate, { args: [{ ...meta(approver), claimId }] })).status).to.equal('PAID');
    expect((await h.result()).status).to.equal('PAID');
  });

  it('a rejection ends the claim; a filing the database refuses for good is a refusal', async () => {
    const { h, claimId } = await file();
    await check(h, claimId);
    expect((await approve(h, claimId, approver, 'reject')).status).to.equal('REJECTED');
    expect((await h.result()).status).to.equal('REJECTED');
    fileRefusedForGood = true;
    const bad = await file();
    expect(bad.filing).to.include({ outcome: 'refused', type: 'UNPROCESSABLE' });
  });
});
