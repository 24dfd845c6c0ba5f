import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { workflowWorld, actor, meta, refusal, deferred, type WorkflowWorld } from './harness';
import { initialPeriods, loan, DUE_DATES_PER_RUN } from '../../workflows/loan';
import { extensionUpdate, loanStateQuery, loanWorkflowId, recoveryUpdate, repaymentUpdate, type LoanInput, type LoanState } from '../../workflows/definitions';
import { defaultPolicyParams, type PolicyParams } from '../../domain/policy';
import { businessDateOf } from '../../domain/business-day';
import { businessDayStartMs } from '../../domain/loan-calendar';
import { addDays } from '../../domain/dates';
import { Money, formatMoney } from '../../domain/money';

const BANK = 'org-bank';
const GUARANTOR = 'org-guarantor';
const bank = actor('bank_officer', BANK, 'bank');
const guarantor = actor('guarantee_approver', GUARANTOR, 'guarantor');

type Call = { activity: string; loanId: string; arg: Record<string, unknown> };

describe('workflow unit: loan (time-skipping, activities in memory)', function () {
  let world: WorkflowWorld;
  const calls: Call[] = [];
  let beforeRecord = async (_activity: string, _arg: Record<string, unknown>): Promise<void> => undefined;

  before(async () => {
    const record = (activity: string) => async (arg: Record<string, unknown>) => {
      await beforeRecord(activity, arg);
      calls.push({ activity, loanId: (arg.loan as { loanId: string }).loanId, arg });
    };
    world = await workflowWorld({
      recordRepayment: record('recordRepayment'),
      markOverdue: record('markOverdue'),
      recordExtension: record('recordExtension'),
      recordDefault: record('recordDefault'),
      recordRecovery: record('recordRecovery'),
    } as never);
  });
  after(async () => world?.close());
  beforeEach(() => {
    beforeRecord = async () => undefined;
  });

  const serverToday = async () => businessDateOf(await world.env.currentTimeMs());
  /** Moves the server to 10:00 (UTC+8) of a business date; never backwards. */
  const skipTo = async (date: string) => {
    const target = businessDayStartMs(date) + 10 * 3600e3;
    const now = await world.env.currentTimeMs();
    if (target > now) await world.env.sleep(target - now);
  };

  async function open(o: { termMonths?: number; repaymentMethod?: 'monthly_interest_bullet' | 'equal_instalment'; policy?: Partial<PolicyParams> } = {}) {
    const loanId = randomUUID();
    const policy = { ...defaultPolicyParams, ...o.policy } as PolicyParams;
    const input: LoanInput = {
      loanId, applicationId: randomUUID(), bankId: BANK, guaranteeCompanyId: GUARANTOR, borrowerIdNumber: '220102199003070013',
      terms: { repaymentMethod: o.repaymentMethod ?? 'monthly_interest_bullet', principal: '60000.00', annualRate: '0.0435', disbursedOn: await serverToday(), termMonths: o.termMonths ?? 6, policy },
      policy,
    };
    const h = await world.env.client.workflow.start(loan, { taskQueue: world.taskQueue, workflowId: loanWorkflowId(loanId), args: [input] });
    return { h, input, periods: initialPeriods(input) };
  }
  const callsOf = (h: WorkflowHandle) => calls.filter((c) => loanWorkflowId(c.loanId) === h.workflowId);
  const due = (p: { principal: string; interest: string }) => formatMoney(new Money(p.principal).plus(p.interest));
  const pay = (h: WorkflowHandle, period: number, amount: string, paidOn: string, ref = `R-${period}-${amount}-${paidOn}`, who = bank) =>
    h.executeUpdate(repaymentUpdate, { args: [{ period, amount, paidOn, bankReference: ref }, meta(who)] });

  it('records a repayment on its due date; the loan ends REPAID once every period is paid', async () => {
    const { h, periods } = await open({ termMonths: 3 });
    for (const p of periods) {
      await skipTo(p.dueOn);
      const s = await pay(h, p.period, due(p), p.dueOn);
      expect(s.periods.find((x) => x.period === p.period)!.paid).to.equal(due(p));
    }
    const final = await h.result();
    expect(final.status).to.equal('REPAID');
    expect(callsOf(h).map((c) => c.activity)).to.deep.equal(['recordRepayment', 'recordRepayment', 'recordRepayment']);
    expect(callsOf(h).at(-1)!.arg).to.include({ repaidInFull: true });
  });

  it('refuses, writing nothing: another bank, a future date, an over-payment, a reference used before', async () => {
    const { h, periods } = await open();
    const p1 = periods[0]!;
    await skipTo(p1.dueOn);
    expect((await refusal(pay(h, 1, due(p1), p1.dueOn, 'X', actor('bank_officer', 'other-bank')))).type).to.equal('FORBIDDEN');
    expect((await refusal(pay(h, 1, due(p1), addDays(p1.dueOn, 1)))).type).to.equal('VALIDATION_FAILED');
    expect((await refusal(pay(h, 1, formatMoney(new Money(due(p1)).plus('0.01')), p1.dueOn))).type).to.equal('VALIDATION_FAILED');
    await pay(h, 1, '100.00', p1.dueOn, 'R-once');
    expect((await refusal(pay(h, 1, '100.00', p1.dueOn, 'R-once'))).type).to.equal('CONFLICT');
    expect(callsOf(h)).to.have.length(1);
  });

  it('marks an unpaid period overdue the day after its due date and grace, then defaults after the threshold', async () => {
    const { h, periods } = await open();
    const p1 = periods[0]!;
    await skipTo(addDays(p1.dueOn, defaultPolicyParams.graceDays + 1));
    const afterOverdue = await h.query(loanStateQuery);
    expect(afterOverdue.periods[0]!.status).to.equal('overdue');
    expect(callsOf(h).map((c) => c.activity)).to.include('markOverdue');
    await skipTo(addDays(p1.dueOn, defaultPolicyParams.defaultAfterDays + 1));
    const s = await h.query(loanStateQuery);
    expect(s.status).to.equal('DEFAULTED');
    expect(s.defaulted!.period).to.equal(1);
    expect(callsOf(h).map((c) => c.activity)).to.include('recordDefault');
  });

  it('after a default, recoveries by the guarantee company repay the guarantors, and the loan ends when all is back', async () => {
    const { h, periods } = await open();
    await skipTo(addDays(periods[0]!.dueOn, defaultPolicyParams.defaultAfterDays + 1));
    const s = await h.query(loanStateQuery);
    expect(s.status).to.equal('DEFAULTED');
    const owed = new Money(s.defaulted!.split.guaranteeFund).plus(s.defaulted!.split.guaranteeCompany);
    const today = await serverToday();
    const recover = (amount: string, reference: string, who = guarantor) =>
      h.executeUpdate(recoveryUpdate, { args: [{ amount, receivedOn: today, reference, note: '' }, meta(who)] });
    expect((await refusal(recover('10.00', 'REC-0', bank))).type).to.equal('FORBIDDEN');
    expect((await refusal(recover(formatMoney(owed.plus('0.01')), 'REC-1'))).type).to.equal('VALIDATION_FAILED');
    await recover('10.00', 'REC-1');
    expect((await refusal(recover('10.00', 'REC-1'))).type).to.equal('CONFLICT');
    await recover(formatMoney(owed.minus('10.00')), 'REC-2');
    expect((await h.result()).defaulted!.recovered).to.equal(formatMoney(owed));
  });

  it('extends once, re-planning the periods not yet due; a second extension is refused', async () => {
    const { h } = await open({ termMonths: 6 });
    const s = await h.executeUpdate(extensionUpdate, { args: [{ months: 3, reason: 'a slow season' }, meta(bank)] });
    expect(s.extendedMonths).to.equal(3);
    expect(s.periods).to.have.length(9);
    expect((await refusal(h.executeUpdate(extensionUpdate, { args: [{ months: 1, reason: 'again' }, meta(bank)] }))).type).to.be.a('string');
    expect(callsOf(h).map((c) => c.activity)).to.deep.equal(['recordExtension']);
  });

  it(`continues as new after ${DUE_DATES_PER_RUN} due dates, carrying the loan`, async () => {
    const { h, periods } = await open({ termMonths: DUE_DATES_PER_RUN + 2, repaymentMethod: 'equal_instalment' });
    for (const p of periods.slice(0, DUE_DATES_PER_RUN + 1)) {
      await skipTo(p.dueOn);
      await pay(h, p.period, due(p), p.dueOn);
    }
    const s: LoanState = await world.env.client.workflow.getHandle(h.workflowId).query(loanStateQuery);
    expect(s.run).to.be.greaterThan(1);
    expect(s.periods.filter((p) => new Money(p.paid).greaterThan(0))).to.have.length(DUE_DATES_PER_RUN + 1);
    expect(s.bankReferences).to.have.length(DUE_DATES_PER_RUN + 1);
  });

  it('two repayments at once take turns: the second is validated against what the first left', async () => {
    const { h, periods, input } = await open();
    const p1 = periods[0]!;
    await skipTo(p1.dueOn);
    const hold = deferred();
    const entered = deferred();
    beforeRecord = async (activity, arg) => {
      if (activity !== 'recordRepayment' || (arg.loan as { loanId: string }).loanId !== input.loanId) return;
      entered.resolve();
      await hold.promise;
    };
    const first = pay(h, 1, due(p1), p1.dueOn, 'R-first');
    await entered.promise;
    const second = refusal(pay(h, 1, due(p1), p1.dueOn, 'R-second'));
    hold.resolve();
    await first;
    const r = await second;
    expect(r.type).to.equal('CONFLICT');
    expect(r.message).to.match(/already paid in full/);
    expect(callsOf(h).filter((c) => c.activity === 'recordRepayment')).to.have.length(1);
  });

  it('a checkpoint the database refuses for good is an incident, tried again a day later; repayments stay possible', async () => {
    const { h, periods, input } = await open();
    const p1 = periods[0]!;
    let refusals = 0;
    // (Loans of earlier tests are still running: only this loan's first checkpoint is refused.)
    beforeRecord = async (activity, arg) => {
      if (activity === 'markOverdue' && (arg.loan as { loanId: string }).loanId === input.loanId && refusals++ === 0) throw ApplicationFailure.create({ type: 'UNPROCESSABLE', message: 'refused', nonRetryable: true });
    };
    await skipTo(addDays(p1.dueOn, defaultPolicyParams.graceDays + 1));
    const s = await h.query(loanStateQuery);
    expect(s.incidents!.map((i) => i.step)).to.deep.equal(['checkpoint']);
    expect(s.periods[0]!.status).to.not.equal('overdue');
    await skipTo(addDays(p1.dueOn, defaultPolicyParams.graceDays + 3));
    expect((await h.query(loanStateQuery)).periods[0]!.status).to.equal('overdue');
  });
});
