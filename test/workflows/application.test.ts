import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { workflowWorld, actor, meta, refusal, deferred, type WorkflowWorld } from './harness';
import { loanApplication } from '../../workflows/application';
import { applicationStateQuery, applicationWorkflowId, intakeUpdate, type ApplicationInput } from '../../workflows/definitions';
import { counterGuaranteeUpdate, disbursalUpdate, guaranteeApprovalUpdate, guaranteeReviewUpdate, withdrawalUpdate } from '../../workflows/definitions';
import { followUpStateQuery, followUpWorkflowId, type FollowUpState } from '../../workflows/definitions';
import type { IntakeOutcome, IntakeRecord, StepRecord, ViolationList } from '../../activities/applications';
import { intakeStep } from '../../workflows/application/steps';
import { defaultPolicyParams } from '../../domain/policy';
import { businessDateOf } from '../../domain/business-day';

const COMMUNITY = 'org-community';
const GUARANTOR = 'org-guarantor';
const BANK = 'org-bank';
const DAY = 24 * 3600 * 1000;

const community = actor('community_officer', COMMUNITY, 'community');
const reviewer = actor('guarantee_reviewer', GUARANTOR, 'reviewer');
const approver = actor('guarantee_approver', GUARANTOR, 'approver');
const bank = actor('bank_officer', BANK, 'bank');
const applicant = actor('applicant', null, 'applicant');

/** What registering an application answers: its policy and guarantee company, or a conflict. */
type Registration = Omit<Extract<IntakeOutcome, { ok: true }>, 'violations' | 'step' | 'checkedAt'> | Extract<IntakeOutcome, { ok: false }>;

/** What the activities would have written, kept in memory; each test may change an answer. */
function fakes() {
  const f = {
    steps: [] as StepRecord[],
    disbursals: [] as Array<{ loanId: string; disbursal: { amount: string } }>,
    register: async (): Promise<Registration> => ({
      ok: true, policyId: 'policy-1', policy: { ...defaultPolicyParams }, guaranteeCompanyId: GUARANTOR, submittedAt: new Date().toISOString(),
    }),
    violations: [] as ViolationList,
    /** Runs before a step is recorded: a test may hold it, or refuse it for good. */
    beforeRecord: async (_r: StepRecord): Promise<void> => undefined,
  };
  const noop = async () => undefined;
  const activities = {
    // The intake: registered (or refused), checked, its outcome recorded as a step.
    intake: async (r: IntakeRecord): Promise<IntakeOutcome> => {
      const reg = await f.register();
      if (!reg.ok) return reg;
      const step = intakeStep(r.meta, reg.policy, f.violations, r.nowMs);
      const checkedAt = new Date(r.nowMs).toISOString();
      const record = { ...step, key: r.checkKey, applicationId: r.applicationId, at: checkedAt };
      await f.beforeRecord(record);
      f.steps.push(record);
      return { ...reg, violations: f.violations, step, checkedAt };
    },
    recordStep: async (r: StepRecord) => {
      await f.beforeRecord(r);
      f.steps.push(r);
    },
    recordDisbursal: async (r: { loanId: string; disbursal: { amount: string } }) => void f.disbursals.push(r),
    // The loan the disbursal starts: nothing of it runs in these tests but its start.
    recordRepayment: noop, markOverdue: noop, recordExtension: noop, recordDefault: noop, recordRecovery: noop,
    // And its follow-up visits, likewise.
    scheduleFollowUp: noop, remindFollowUpVisit: noop, markFollowUpVisitOverdue: noop, recordFollowUpVisit: noop,
  };
  return { f, activities };
}

describe('workflow unit: loanApplication (time-skipping, activities in memory)', function () {
  let world: WorkflowWorld;
  let f: ReturnType<typeof fakes>['f'];

  before(async () => {
    // Each test gets fresh answers through `f`; the worker keeps the same functions.
    const made = fakes();
    world = await workflowWorld(made.activities as never);
    f = made.f;
  });
  after(async () => world?.close());
  beforeEach(() => {
    f.steps.length = 0;
    f.disbursals.length = 0;
    f.violations = [];
    f.register = async () => ({ ok: true, policyId: 'policy-1', policy: { ...defaultPolicyParams }, guaranteeCompanyId: GUARANTOR, submittedAt: new Date().toISOString() });
    f.beforeRecord = async () => undefined;
  });

  /** Holds the counter-guarantee step's recording until `hold` resolves; `entered` says it began. */
  function holdCounterGuarantee() {
    const hold = deferred();
    const entered = deferred();
    f.beforeRecord = async (r) => {
      if (r.step !== 'counter_guarantee') return;
      entered.resolve();
      await hold.promise;
    };
    return { hold, entered };
  }

  async function submit(over: Partial<ApplicationInput> = {}): Promise<WorkflowHandle<typeof loanApplication>> {
    const applicationId = randomUUID();
    const input: ApplicationInput = {
      applicationId, applicantUserId: applicant.userId, idNumber: '220102199003070013', name: 'Zhang Wei', phone: '13800000000',
      targetGroup: 'college_graduate', certificateNo: 'SYB-1', communityId: COMMUNITY, bankId: null, requestedAmount: '80000.00',
      termMonths: 12, repaymentMethod: 'monthly_interest_bullet', businessPlan: 'a noodle shop near the university',
      submittedOn: businessDateOf(await world.env.currentTimeMs()), meta: meta(applicant), ...over,
    };
    return world.env.client.workflow.start(loanApplication, { taskQueue: world.taskQueue, workflowId: applicationWorkflowId(applicationId), args: [input] });
  }
  const stateOf = (h: WorkflowHandle) => h.query(applicationStateQuery);
  const cg = (h: WorkflowHandle, decision: 'approve' | 'reject' = 'approve', who = community, reason = 'known in the community') =>
    h.executeUpdate(counterGuaranteeUpdate, { args: [{ decision, type: 'credit_community', reason }, meta(who)] });
  const review = (h: WorkflowHandle, amount = '80000.00', who = reviewer) =>
    h.executeUpdate(guaranteeReviewUpdate, { args: [{ recommendation: 'approve', amount, reason: 'sound plan' }, meta(who)] });
  const approve = (h: WorkflowHandle, amount = '80000.00', who = approver) =>
    h.executeUpdate(guaranteeApprovalUpdate, { args: [{ decision: 'approve', amount, reason: 'approved' }, meta(who)] });
  // The server's clock runs ahead of the wall clock once time has been skipped.
  const serverToday = async () => businessDateOf(await world.env.currentTimeMs());
  const disburse = async (h: WorkflowHandle, over: Partial<{ amount: string; annualRate: string; disbursedOn: string }> = {}, who = bank) =>
    h.executeUpdate(disbursalUpdate, {
      args: [{ contractNo: 'C-1', amount: '80000.00', annualRate: '0.0435', disbursedOn: await serverToday(), bankReference: 'B-1', ...over }, meta(who)],
    });
  /** The steps this application's workflow recorded (workflows of earlier tests may still be running). */
  const stepsOf = (h: WorkflowHandle) => f.steps.filter((x) => applicationWorkflowId(x.applicationId) === h.workflowId);

  describe('intake', () => {
    it('accepts: the certificate and eligibility pass, the counter-guarantee deadline is set', async () => {
      const h = await submit();
      const r = await h.executeUpdate(intakeUpdate);
      expect(r.outcome).to.equal('accepted');
      const s = await stateOf(h);
      expect(s.status).to.equal('AWAITING_COUNTER_GUARANTEE');
      expect(Date.parse(s.stepDeadline!) - (await world.env.currentTimeMs())).to.be.closeTo(defaultPolicyParams.counterGuaranteeDays * DAY, 120_000);
      expect(stepsOf(h).map((x) => [x.step, x.decision])).to.deep.equal([['intake_check', 'passed']]);
    });

    it('rejects with the violations, and the workflow ends REJECTED', async () => {
      f.violations = [{ path: 'certificateNo', rule: 'certificate.missing', message: 'no such certificate' }];
      const h = await submit();
      const r = await h.executeUpdate(intakeUpdate);
      expect(r.outcome).to.equal('rejected');
      expect((await h.result()).status).to.equal('REJECTED');
      expect(stepsOf(h)[0]).to.include({ step: 'intake_check', decision: 'rejected', status: 'REJECTED' });
    });

    it('answers a conflict when the person already has an application in progress, writing nothing', async () => {
      f.register = async () => ({ ok: false, message: 'already in progress' });
      const h = await submit();
      expect(await h.executeUpdate(intakeUpdate)).to.deep.equal({ outcome: 'conflict', message: 'already in progress' });
      await h.result();
      expect(stepsOf(h)).to.deep.equal([]);
    });

    it('ends with outcome failed when registration is refused for good (bad data)', async () => {
      f.register = async () => {
        throw ApplicationFailure.create({ type: 'UNPROCESSABLE', message: 'refused by the database', nonRetryable: true });
      };
      const h = await submit();
      const r = await h.executeUpdate(intakeUpdate);
      expect(r).to.include({ outcome: 'failed', type: 'UNPROCESSABLE' });
      expect((await h.result()).incidents.map((i) => i.step)).to.deep.equal(['intake']);
    });
  });

  describe('decisions', () => {
    it('goes counter-guarantee → review → approval → disbursal, starting the loan', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      expect((await cg(h)).status).to.equal('AWAITING_GUARANTEE_REVIEW');
      expect((await review(h, '70000.00')).recommendedAmount).to.equal('70000.00');
      const approved = await approve(h, '70000.00');
      expect(approved).to.include({ status: 'AWAITING_DISBURSAL', approvedAmount: '70000.00' });
      const disbursed = await disburse(h, { amount: '70000.00' });
      expect(disbursed.status).to.equal('REPAYING');
      expect(disbursed.loanId).to.be.a('string');
      expect(f.disbursals.filter((d) => d.loanId === disbursed.loanId).map((d) => d.disbursal.amount)).to.deep.equal(['70000.00']);
      // The loan's follow-up visits start beside it, by the policy's months.
      // The disbursal answers once the loan's workflow has started, not the follow-up's; the
      // application's own query is the round trip that gives it the time to.
      const followUpHandle = world.env.client.workflow.getHandle(followUpWorkflowId(disbursed.loanId!));
      let followed: FollowUpState | undefined;
      for (let i = 0; !followed && i < 100; i++) {
        followed = await followUpHandle.query(followUpStateQuery).catch(async (e: unknown) => {
          if (!(e instanceof WorkflowNotFoundError)) throw e;
          await stateOf(h);
          return undefined;
        });
      }
      if (!followed) throw new Error('the follow-up workflow never started');
      expect(followed.visits.map((v) => v.months)).to.deep.equal([3, 6, 12]);
      expect(stepsOf(h).map((x) => x.step)).to.deep.equal(['intake_check', 'counter_guarantee', 'guarantee_review', 'guarantee_approval']);
    });

    it('refuses, at once and writing nothing: the wrong step, role or organisation, and the reviewer approving', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      expect((await refusal(review(h))).type).to.equal('INVALID_STATE');
      expect((await refusal(cg(h, 'approve', actor('community_officer', 'another-community')))).type).to.equal('FORBIDDEN');
      expect((await refusal(cg(h, 'approve', bank))).type).to.equal('FORBIDDEN');
      await cg(h);
      await review(h);
      const self = await refusal(approve(h, '80000.00', { ...approver, userId: reviewer.userId }));
      expect(self).to.include({ type: 'FORBIDDEN' });
      expect(self.message).to.match(/different person from the reviewer/);
      expect(stepsOf(h).map((x) => x.step)).to.deep.equal(['intake_check', 'counter_guarantee', 'guarantee_review']);
    });

    it('refuses an amount outside the policy band or above the request, naming the field', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      await cg(h);
      const low = await refusal(review(h, '1000.00'));
      expect(low.type).to.equal('VALIDATION_FAILED');
      expect((await refusal(review(h, '90000.00'))).type).to.equal('VALIDATION_FAILED');
    });

    it('refuses a disbursal above the approval, above the rate cap, in the future or before the back-dating window', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      await cg(h);
      await review(h, '60000.00');
      await approve(h, '60000.00');
      const paths = async (p: Promise<unknown>) => ((await refusal(p)).details as Array<{ path: string }>).map((d) => d.path);
      expect(await paths(disburse(h, { amount: '60000.01' }))).to.deep.equal(['amount']);
      expect(await paths(disburse(h, { amount: '60000.00', annualRate: '0.0601' }))).to.deep.equal(['annualRate']);
      expect(await paths(disburse(h, { amount: '60000.00', disbursedOn: '2999-01-01' }))).to.deep.equal(['disbursedOn']);
      expect(await paths(disburse(h, { amount: '60000.00', disbursedOn: '2000-01-01' }))).to.deep.equal(['disbursedOn']);
      expect((await disburse(h, { amount: '60000.00' })).status).to.equal('REPAYING');
    });

    it('lets only the applicant withdraw, and only before disbursal', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      expect((await refusal(h.executeUpdate(withdrawalUpdate, { args: [{ reason: '' }, meta(community)] }))).type).to.equal('FORBIDDEN');
      const s = await h.executeUpdate(withdrawalUpdate, { args: [{ reason: 'found a job' }, meta(applicant)] });
      expect(s.status).to.equal('WITHDRAWN');
      expect((await h.result()).endReason).to.equal('withdrawn by the applicant: found a job');
      expect(stepsOf(h).at(-1)).to.include({ step: 'withdrawal', status: 'WITHDRAWN' });
    });
  });

  describe('decisions that arrive together (one rule: wait your turn, then be validated again)', () => {
    it('a second counter-guarantee decision waits for the first, then is refused for the state it finds', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      const { hold, entered } = holdCounterGuarantee();
      const first = cg(h, 'approve');
      await entered.promise;
      // The second passes its validator (the step is still open) and queues behind the first.
      const second = refusal(cg(h, 'reject', community, 'changed my mind'));
      hold.resolve();
      expect((await first).status).to.equal('AWAITING_GUARANTEE_REVIEW');
      const r = await second;
      expect(r.type).to.equal('INVALID_STATE');
      expect(r.message).to.match(/while the application is AWAITING_GUARANTEE_REVIEW/);
      expect(stepsOf(h).filter((x) => x.step === 'counter_guarantee')).to.have.length(1);
    });

    it('a withdrawal arriving during a decision is recorded after it', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      const { hold, entered } = holdCounterGuarantee();
      const decided = cg(h);
      await entered.promise;
      const withdrawn = h.executeUpdate(withdrawalUpdate, { args: [{ reason: 'no longer needed' }, meta(applicant)] });
      hold.resolve();
      await decided;
      expect((await withdrawn).status).to.equal('WITHDRAWN');
      expect(stepsOf(h).map((x) => x.step)).to.deep.equal(['intake_check', 'counter_guarantee', 'withdrawal']);
    });
  });

  describe('deadlines', () => {
    it('reminds at half the counter-guarantee deadline and ends EXPIRED at it', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      const final = await h.result(); // waiting on the result lets the server skip time
      expect(final.status).to.equal('EXPIRED');
      expect(final.endReason).to.equal(`no counter guarantee decision within ${defaultPolicyParams.counterGuaranteeDays} days`);
      const [entered, reminder, expiry] = stepsOf(h).map((x) => Date.parse(x.at));
      expect(stepsOf(h).map((x) => x.step)).to.deep.equal(['intake_check', 'counter_guarantee_reminder', 'counter_guarantee']);
      expect(reminder! - entered!).to.be.closeTo((defaultPolicyParams.counterGuaranteeDays / 2) * DAY, 60_000);
      expect(expiry! - entered!).to.be.closeTo(defaultPolicyParams.counterGuaranteeDays * DAY, 60_000);
    });

    it('a decision in time moves the deadline to the next step', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      await world.env.sleep(9 * DAY);
      await cg(h);
      const final = await h.result();
      expect(final.status).to.equal('EXPIRED');
      expect(final.endReason).to.match(/^no guarantee review decision within/);
      expect(stepsOf(h).map((x) => x.step)).to.deep.equal([
        'intake_check', 'counter_guarantee_reminder', 'counter_guarantee', 'guarantee_review_reminder', 'guarantee_review',
      ]);
    });
  });

  describe('bad data', () => {
    it('a step the database refuses for good is an incident; the application stays decidable', async () => {
      const h = await submit();
      await h.executeUpdate(intakeUpdate);
      f.beforeRecord = async (r) => {
        if (r.reason?.includes('\u0000')) throw ApplicationFailure.create({ type: 'UNPROCESSABLE', message: 'SQLSTATE 22021', nonRetryable: true });
      };
      expect((await refusal(cg(h, 'approve', community, 'bad\u0000'))).type).to.equal('UNPROCESSABLE');
      const s = await stateOf(h);
      expect(s.status).to.equal('AWAITING_COUNTER_GUARANTEE');
      expect(s.incidents.map((i) => i.step)).to.deep.equal(['counter_guarantee']);
      expect((await cg(h)).status).to.equal('AWAITING_GUARANTEE_REVIEW');
    });
  });
});
