import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { newIdNumber } from '../support/api';
import { useOwnDatabase, refusal } from './own-database';
import { applicationSteps } from '../../usecases/application-steps';
import { fixedClock } from '../../usecases/clock';
import { applicationWorkflowId, type Actor } from '../../workflows/definitions';
import { buildSchedule } from '../../domain/schedule';
import { isSettled, openPeriods } from '../../domain/repayment';
import { defaultPolicyParams } from '../../domain/policy';
import { addDays } from '../../domain/dates';
import { Money, formatMoney } from '../../domain/money';
import { businessDateOf } from '../../domain/business-day';
import { loanSteps } from '../../usecases/loan-steps';
import { LoanMachine } from '../../workflows/loan/state';
import { accrueSubsidy } from '../../db/ledger';

/**
 * The hostile application role against the rows of the intake and the loans: applications, loans,
 * their periods, certificates and organisations (docs/security.md). Each row is made by the same
 * use-case steps the workflows run, as the application role; each attack is then refused by the
 * database (42501, naming the table and the column) and leaves the row as it was.
 */
describe('attack: applications, loans, periods, certificates and organisations rewritten, as the application role', function () {
  this.timeout(60_000);
  let db: Knex;
  let staff: Record<'applicant' | 'trainer' | 'community' | 'reviewer' | 'approver' | 'bank', Actor>;
  let orgs: { community: string; bank: string; otherBank: string; training: string };

  useOwnDatabase('attack_row_guards', (d) => (db = d));

  before(async () => {
    const user = async (username: string): Promise<Actor> => {
      const u = await db('users').where({ username }).first('id', 'username', 'role', 'org_id');
      return { userId: u.id, username: u.username, role: u.role, orgId: u.org_id };
    };
    staff = {
      applicant: await user('applicant'), trainer: await user('trainer'), community: await user('community-a'),
      reviewer: await user('g-reviewer'), approver: await user('g-approver'), bank: await user('bank-a'),
    };
    const otherBank = await user('bank-b');
    orgs = { community: staff.community.orgId!, bank: staff.bank.orgId!, otherBank: otherBank.orgId!, training: staff.trainer.orgId! };
  });

  type Stop = 'AWAITING_COUNTER_GUARANTEE' | 'AWAITING_GUARANTEE_REVIEW' | 'AWAITING_GUARANTEE_APPROVAL' | 'AWAITING_DISBURSAL' | 'REPAYING' | 'REJECTED';
  const DEFAULT_AMOUNT = '60000.00';

  /** A trainee, their certificate and application, taken by the workflow's own steps up to `stop`. */
  async function applicationAt(
    stop: Stop,
    o: { amount?: string; annualRate?: string } = {},
  ): Promise<{ applicationId: string; loanId: string | null; certificateNo: string }> {
    const AMOUNT = o.amount ?? DEFAULT_AMOUNT;
    const annualRate = o.annualRate ?? '0.0435';
    const today = businessDateOf(Date.now());
    const steps = applicationSteps({ db, clock: fixedClock(new Date()) });
    const tag = randomUUID().slice(0, 8);
    const idNumber = newIdNumber();
    const [u] = await db('users')
      .insert({ username: `rows-${tag}`, password_hash: 'x', role: 'applicant', id_number: idNumber, name: `Trainee ${tag}`, phone: '13900000000' })
      .returning('id');
    const applicant: Actor = { userId: u.id, username: `rows-${tag}`, role: 'applicant', orgId: null };
    const certificateNo = `SYB-ROWS-${tag}`.toUpperCase();
    await db('certificates').insert({
      certificate_no: certificateNo, institution_id: orgs.training, holder_id_number: idNumber, holder_name: `Trainee ${tag}`, course: 'SYB',
      issued_on: addDays(today, -10), registered_by: staff.trainer.userId,
    });
    const applicationId = randomUUID();
    const wf = applicationWorkflowId(applicationId);
    const reg = await steps.intake({
      applicationId, applicantUserId: applicant.userId, idNumber, name: `Trainee ${tag}`, phone: '13900000000', targetGroup: 'college_graduate',
      certificateNo, communityId: orgs.community, bankId: orgs.bank, requestedAmount: AMOUNT, termMonths: 12, repaymentMethod: 'monthly_interest_bullet',
      businessPlan: 'A small noodle shop near the university.', submittedOn: today,
      meta: { actor: applicant, requestId: randomUUID() }, key: `${wf}:0:submitted`, checkKey: `${wf}:1:intake_check`, nowMs: Date.now(),
    });
    expect(reg.ok && reg.violations, JSON.stringify(reg)).to.deep.equal([]);
    const at = new Date().toISOString();
    const decide = (seq: number, r: Omit<Parameters<typeof steps.recordStep>[0], 'key' | 'applicationId' | 'at'>) =>
      steps.recordStep({ ...r, key: `${wf}:${seq}:${r.step}`, applicationId, at });
    if (stop === 'AWAITING_COUNTER_GUARANTEE') return { applicationId, loanId: null, certificateNo };
    if (stop === 'REJECTED') {
      await decide(2, {
        step: 'counter_guarantee', decision: 'rejected', actor: staff.community, reason: 'unknown', status: 'REJECTED',
        set: { counterGuaranteeType: 'credit_community', endReason: 'counter-guarantee refused: unknown', stepDeadline: null },
      });
      return { applicationId, loanId: null, certificateNo };
    }
    await decide(2, {
      step: 'counter_guarantee', decision: 'approved', actor: staff.community, reason: 'known', status: 'AWAITING_GUARANTEE_REVIEW',
      set: { counterGuaranteeType: 'credit_community', stepDeadline: addDays(today, 10) },
    });
    if (stop === 'AWAITING_GUARANTEE_REVIEW') return { applicationId, loanId: null, certificateNo };
    await decide(3, {
      step: 'guarantee_review', decision: 'recommended', actor: staff.reviewer, reason: 'sound', amount: AMOUNT, status: 'AWAITING_GUARANTEE_APPROVAL',
      set: { recommendedAmount: AMOUNT, reviewedBy: staff.reviewer.userId, stepDeadline: addDays(today, 10) },
    });
    if (stop === 'AWAITING_GUARANTEE_APPROVAL') return { applicationId, loanId: null, certificateNo };
    await decide(4, {
      step: 'guarantee_approval', decision: 'approved', actor: staff.approver, reason: 'approved', amount: AMOUNT, status: 'AWAITING_DISBURSAL',
      set: { approvedAmount: AMOUNT, stepDeadline: addDays(today, 10) },
    });
    if (stop === 'AWAITING_DISBURSAL') return { applicationId, loanId: null, certificateNo };
    const loanId = randomUUID();
    const terms = { repaymentMethod: 'monthly_interest_bullet' as const, amount: AMOUNT, annualRate, disbursedOn: today, termMonths: 12, policy: defaultPolicyParams };
    await steps.recordDisbursal({
      key: `${wf}:5:disbursal`, applicationId, loanId, bankId: orgs.bank, at,
      disbursal: { contractNo: `C-${tag}`, amount: AMOUNT, annualRate: terms.annualRate, disbursedOn: today, bankReference: `D-${tag}` },
      termMonths: 12, repaymentMethod: 'monthly_interest_bullet', actor: staff.bank, requestId: randomUUID(),
      periods: openPeriods(buildSchedule(terms).map((l) => ({ ...l, extended: false }))), recordedOn: today,
    });
    return { applicationId, loanId, certificateNo };
  }

  /** The write is refused by the database as a lack of privilege, naming the table and `names`. */
  async function refused(write: Promise<unknown>, table: string, names: RegExp): Promise<void> {
    const e = await refusal(write);
    expect(e, `${table}: the write went through`).to.not.equal(null);
    expect(e!.code, e!.message).to.equal('42501');
    expect(e!.message).to.include(table);
    expect(e!.message).to.match(names);
  }

  /** A repaying loan's workflow state and its repayment step, as the loan workflow runs them. */
  async function servicing(applicationId: string, loanId: string) {
    const loan = await db('loans').where({ id: loanId }).first();
    const policy = { ...defaultPolicyParams };
    const today = businessDateOf(Date.now());
    const m = new LoanMachine({
      loanId, applicationId, bankId: loan.bank_id, guaranteeCompanyId: loan.guarantee_company_id, borrowerIdNumber: loan.borrower_id_number, policy,
      terms: { repaymentMethod: loan.repayment_method, principal: loan.principal, annualRate: loan.annual_rate, disbursedOn: today, termMonths: loan.term_months, policy },
    });
    const steps = loanSteps({ db, clock: fixedClock(new Date()) });
    const meta = { actor: staff.bank, requestId: randomUUID(), loan: m.ref, today };
    return {
      m, steps, meta,
      /** The bank reports `amount` paid towards `period` today; `accrue: false` records it with no subsidy accrued. */
      async pay(period: number, amount: string, o: { accrue?: boolean } = {}) {
        const b = { period, amount, paidOn: today, bankReference: `R-${randomUUID().slice(0, 8)}` };
        const { plan, applied, target, outstanding } = m.planRepayment(b, today);
        const settled = o.accrue === false && applied.settled ? { ...applied.settled, subsidy: '0.00' } : applied.settled;
        await steps.recordRepayment({
          ...meta, key: `pay-${randomUUID()}`, repayment: b, plan: { kind: plan.kind, interestPart: plan.interestPart, principalPart: plan.principalPart },
          periods: [target], dropAfter: plan.kind === 'payoff' ? plan.period : null, settled, repaidInFull: applied.repaidInFull, outstanding,
        });
        m.repaid(b, applied);
      },
    };
  }

  /** Each change in turn, refused, and the row as it was. */
  async function eachRefused(table: string, where: Record<string, unknown>, changes: Array<Record<string, unknown>>): Promise<void> {
    const before = await db(table).where(where).first();
    expect(before, `${table} row`).to.not.equal(undefined);
    for (const set of changes) {
      const column = Object.keys(set).filter((k) => k !== 'updated_at').join('|');
      await refused(db(table).where(where).update(set), table, new RegExp(column));
    }
    expect(await db(table).where(where).first()).to.deep.equal(before);
  }

  // ---- applications --------------------------------------------------------------------------

  it('refuses rewriting what was applied for: the applicant, ID number, name, amount, policy', async () => {
    const { applicationId } = await applicationAt('AWAITING_GUARANTEE_REVIEW');
    const other = await db('applications').whereNot({ id: applicationId }).first();
    const policy = await adminOf(db)('policies').insert({ effective_from: '2020-01-01', params: JSON.stringify(defaultPolicyParams) }).returning('id');
    await eachRefused('applications', { id: applicationId }, [
      { id_number: newIdNumber() }, { name: 'Someone Else' }, { applicant_user_id: staff.applicant.userId }, { requested_amount: '100000.00' },
      { term_months: 36 }, { certificate_no: other?.certificate_no ?? 'SYB-2026-0001' }, { policy_id: policy[0].id }, { guarantee_company_id: orgs.bank },
    ]);
  });

  it('refuses moving an application backwards or past a step', async () => {
    const { applicationId } = await applicationAt('AWAITING_GUARANTEE_REVIEW');
    await eachRefused('applications', { id: applicationId }, [
      { status: 'AWAITING_COUNTER_GUARANTEE' }, { status: 'SUBMITTED' }, { status: 'AWAITING_DISBURSAL' }, { status: 'REPAYING' }, { status: 'REPAID' },
    ]);
  });

  it('refuses any change to an application that has ended', async () => {
    const { applicationId } = await applicationAt('REJECTED');
    await eachRefused('applications', { id: applicationId }, [
      { status: 'AWAITING_GUARANTEE_REVIEW' }, { status: 'WITHDRAWN' }, { end_reason: 'never mind' }, { counter_guarantee_type: 'collateral' },
    ]);
  });

  it('refuses writing a decision outside the step that makes it: an approved amount raised, a reviewer swapped, a deadline moved', async () => {
    const { applicationId } = await applicationAt('AWAITING_DISBURSAL');
    await eachRefused('applications', { id: applicationId }, [
      { approved_amount: '100000.00' }, { recommended_amount: '100000.00' }, { reviewed_by: staff.approver.userId },
      { counter_guarantee_type: 'collateral' }, { step_deadline_at: '2099-01-01T00:00:00Z' }, { end_reason: 'rewritten' },
      { bank_id: orgs.otherBank },
    ]);
  });

  it('refuses a guarantee recommended or approved past what was applied for or the policy allows, or reviewed by anyone but a reviewer of its company', async () => {
    // Approved for 9 999 999.00, a loan of that principal would then pass the loans guard.
    const review = await applicationAt('AWAITING_GUARANTEE_REVIEW');
    const approval = await applicationAt('AWAITING_GUARANTEE_APPROVAL');
    const before = await db('applications').whereIn('id', [review.applicationId, approval.applicationId]).orderBy('id');
    const reviewed = (amount: string, by: string) => ({ status: 'AWAITING_GUARANTEE_APPROVAL', recommended_amount: amount, reviewed_by: by });
    for (const [id, set, names] of [
      [review.applicationId, reviewed('9999999.00', staff.reviewer.userId), /: recommended_amount: /],
      [review.applicationId, reviewed('70000.00', staff.reviewer.userId), /: recommended_amount: /], // above the 60 000.00 applied for
      [review.applicationId, reviewed('40000.00', staff.reviewer.userId), /: recommended_amount: /], // below the policy's 50 000.00
      [review.applicationId, reviewed('60000.00', staff.bank.userId), /: reviewed_by: /],
      [review.applicationId, reviewed('60000.00', staff.approver.userId), /: reviewed_by: /],
      [approval.applicationId, { status: 'AWAITING_DISBURSAL', approved_amount: '9999999.00' }, /: approved_amount: /],
      [approval.applicationId, { status: 'AWAITING_DISBURSAL', approved_amount: '70000.00' }, /: approved_amount: /],
      [approval.applicationId, { status: 'AWAITING_DISBURSAL', approved_amount: '40000.00' }, /: approved_amount: /],
    ] as const) {
      await refused(db('applications').where({ id }).update(set), 'applications', names);
    }
    expect(await db('applications').whereIn('id', [review.applicationId, approval.applicationId]).orderBy('id')).to.deep.equal(before);
  });

  it("refuses handing an application another loan than its own disbursal's", async () => {
    const { applicationId } = await applicationAt('AWAITING_DISBURSAL');
    const { loanId } = await applicationAt('REPAYING');
    await eachRefused('applications', { id: applicationId }, [{ status: 'REPAYING', loan_id: loanId }]);
    const repaying = await applicationAt('REPAYING');
    await eachRefused('applications', { id: repaying.applicationId }, [{ loan_id: loanId }]);
  });

  it('refuses ending an application, or its loan, before the loan has ended so', async () => {
    // An application marked REPAID early frees its applicant for a second loan at intake, and
    // wedges the default that follows (docs/security.md).
    const { applicationId, loanId } = await applicationAt('REPAYING');
    await eachRefused('applications', { id: applicationId }, [
      { status: 'REPAID', end_reason: 'repaid' }, { status: 'DEFAULTED', end_reason: 'in default' },
    ]);
    await eachRefused('loans', { id: loanId! }, [{ status: 'REPAID', ended_on: '2030-01-01', end_reason: 'repaid' }]);
    expect((await db('loans').where({ id: loanId! }).first()).outstanding_principal).to.equal(DEFAULT_AMOUNT);
  });

  it('refuses an application inserted past its submission, and writes nothing', async () => {
    const { applicationId } = await applicationAt('AWAITING_DISBURSAL');
    const row = await db('applications').where({ id: applicationId }).first();
    await db('applications').where({ id: applicationId }).update({ status: 'WITHDRAWN', end_reason: 'withdrawn by the applicant', step_deadline_at: null });
    const copy = { ...row, id: randomUUID(), workflow_id: `copy-${randomUUID()}` };
    for (const set of [
      { status: 'AWAITING_DISBURSAL' },
      { status: 'SUBMITTED', approved_amount: '60000.00', recommended_amount: null, reviewed_by: null, counter_guarantee_type: null, step_deadline_at: null },
    ]) {
      await refused(db('applications').insert({ ...copy, ...set }), 'applications', /status|approved_amount|counter_guarantee_type/);
      expect(await db('applications').where({ id: copy.id }).first()).to.equal(undefined);
    }
  });

  // ---- loans -----------------------------------------------------------------------------------

  it("refuses rewriting a loan's contract: principal, rate, term, dates, bank, contract", async () => {
    const { loanId } = await applicationAt('REPAYING');
    await eachRefused('loans', { id: loanId }, [
      { principal: '90000.00' }, { annual_rate: '0.0600' }, { term_months: 24 }, { disbursed_on: '2020-01-01' }, { repayment_method: 'equal_instalment' },
      { bank_id: orgs.otherBank }, { contract_no: 'C-REWRITTEN' }, { borrower_id_number: newIdNumber() }, { application_id: randomUUID() },
    ]);
  });

  it("refuses a loan's servicing written out of turn: ended without ending, extended twice, outstanding raised, recovered while repaid", async () => {
    const { loanId } = await applicationAt('REPAYING');
    await eachRefused('loans', { id: loanId }, [
      { status: 'REPAYING', ended_on: '2030-01-01' }, { loss_principal: '1.00' }, { recovered: '1.00' }, { outstanding_principal: '90000.00' },
      { guarantee_company_id: orgs.bank }, { workflow_id: 'loan-rewritten' }, { maturity_on: '2099-01-01' }, { status: 'REPAID', loss_principal: '1.00' },
    ]);
    // One extension, as recordExtension writes it; a second is refused.
    const loan = await db('loans').where({ id: loanId }).first();
    await db('loans').where({ id: loanId }).update({ extended_months: 6, maturity_on: addDays(loan.maturity_on, 180) });
    await eachRefused('loans', { id: loanId }, [{ extended_months: 12 }, { extended_months: 0 }]);
    // Ended: nothing changes any more, not even back to REPAYING.
    await db('loans').where({ id: loanId }).update({ status: 'REPAID', ended_on: loan.disbursed_on, end_reason: 'repaid', outstanding_principal: '0.00' });
    await eachRefused('loans', { id: loanId }, [{ status: 'REPAYING' }, { status: 'DEFAULTED' }, { end_reason: 'rewritten' }, { recovered: '1.00' }]);
  });

  it('refuses a loan inserted for an application not awaiting its disbursal, or past what was approved, and writes nothing', async () => {
    const waiting = await applicationAt('AWAITING_DISBURSAL');
    const { loanId } = await applicationAt('REPAYING');
    const row = await db('loans').where({ id: loanId }).first();
    const fresh = {
      ...row, id: randomUUID(), contract_no: `C-${randomUUID().slice(0, 8)}`, guarantee_company_id: null, workflow_id: null, maturity_on: null,
      outstanding_principal: null, created_at: undefined, updated_at: undefined,
    };
    const app = await db('applications').where({ id: waiting.applicationId }).first();
    const mine = { ...fresh, application_id: waiting.applicationId, borrower_id_number: app.id_number, policy_id: app.policy_id };
    for (const [set, names] of [
      [{}, /application_id/], // another application's, already disbursed
      [{ ...mine, principal: '90000.00' }, /application_id/],
      [{ ...mine, annual_rate: '0.0900' }, /application_id/],
      [{ ...mine, status: 'REPAID' }, /status/],
      [{ ...mine, recovered: '5.00' }, /recovered/],
    ] as const) {
      const id = randomUUID();
      await refused(db('loans').insert({ ...fresh, ...set, id }), 'loans', names);
      expect(await db('loans').where({ id }).first()).to.equal(undefined);
    }
  });

  // ---- loan periods ----------------------------------------------------------------------------

  it('records the extension and the repayments of a loan whose periods total 0.00, as its workflow plans them', async () => {
    // At the lowest rate a bank may write, a bullet loan's interest-only periods come to 0.00: the
    // schedule counts them settled, the rows stay `scheduled`, and every later step must still pass.
    const annualRate = '0.000001';
    const { applicationId, loanId } = await applicationAt('REPAYING', { amount: '50000.00', annualRate });
    const loan = await db('loans').where({ id: loanId! }).first();
    expect(await db('loan_periods').where({ loan_id: loanId!, period: 1 }).first()).to.include({ principal: '0.00', interest: '0.00', status: 'scheduled' });
    const today = businessDateOf(Date.now());
    const policy = { ...defaultPolicyParams };
    const m = new LoanMachine({
      loanId: loanId!, applicationId, bankId: orgs.bank, guaranteeCompanyId: loan.guarantee_company_id, borrowerIdNumber: loan.borrower_id_number, policy,
      terms: { repaymentMethod: 'monthly_interest_bullet', principal: '50000.00', annualRate, disbursedOn: today, termMonths: 12, policy },
    });
    const steps = loanSteps({ db, clock: fixedClock(new Date()) });
    const meta = { actor: staff.bank, requestId: randomUUID(), loan: m.ref, today };
    const ext = m.checkExtension(6, today);
    await steps.recordExtension({ ...meta, key: `zero-${loanId}:extension`, months: 6, reason: 'harvest late', periods: ext.periods });
    m.extended(ext.periods, 6);
    const open = ext.periods.find((p) => !isSettled(p))!;
    const payoff = { period: open.period, amount: formatMoney(new Money(open.principal).plus(open.interest)), paidOn: today, bankReference: `R-${loanId!.slice(0, 8)}` };
    const { plan, applied, target, outstanding } = m.planRepayment(payoff, today);
    await steps.recordRepayment({
      ...meta, key: `zero-${loanId}:repayment`, repayment: payoff, plan: { kind: plan.kind, interestPart: plan.interestPart, principalPart: plan.principalPart },
      periods: [target], dropAfter: plan.kind === 'payoff' ? plan.period : null, settled: applied.settled, repaidInFull: applied.repaidInFull, outstanding,
    });
    expect(await db('loans').where({ id: loanId! }).first()).to.include({ status: 'REPAID', extended_months: 6, outstanding_principal: '0.00' });
    expect(await db('applications').where({ id: applicationId }).first()).to.include({ status: 'REPAID' });
  });

  it("refuses raising a period's interest or subsidy, or moving its due date", async () => {
    const { loanId } = await applicationAt('REPAYING');
    await eachRefused('loan_periods', { loan_id: loanId, period: 3 }, [
      { interest: '9999.00' }, { subsidy: '100.00' }, { principal: '1.00' }, { due_on: '2099-01-01' }, { quarter: '2099Q1' },
      { outstanding_after: '0.00' }, { extended: true, subsidy: '0.00' }, { status: 'paid_on_time' }, { paid: '10.00', status: 'paid_late' },
    ]);
  });

  it("refuses lowering what was paid towards a period, or changing a settled one", async () => {
    const { applicationId, loanId } = await applicationAt('REPAYING');
    const p1 = await db('loan_periods').where({ loan_id: loanId, period: 1 }).first();
    const loan = await servicing(applicationId, loanId!);
    await loan.pay(1, '10.00');
    expect(await db('loan_periods').where({ loan_id: loanId, period: 1 }).first()).to.include({ paid: '10.00', status: 'partially_paid' });
    await eachRefused('loan_periods', { loan_id: loanId, period: 1 }, [{ paid: '0.00' }, { last_paid_on: null }]);
    await loan.pay(1, formatMoney(new Money(p1.principal).plus(p1.interest).minus('10.00')));
    expect(await db('loan_periods').where({ loan_id: loanId, period: 1 }).first()).to.include({ status: 'paid_on_time' });
    await eachRefused('loan_periods', { loan_id: loanId, period: 1 }, [{ status: 'paid_late' }, { status: 'scheduled' }, { last_paid_on: addDays(p1.due_on, 30) }]);
  });

  it('refuses a period marked paid with no repayment recorded, or a repayment with no ledger entry of its own, and writes nothing', async () => {
    const { applicationId, loanId } = await applicationAt('REPAYING');
    const p1 = await db('loan_periods').where({ loan_id: loanId, period: 1 }).first();
    const due = formatMoney(new Money(p1.principal).plus(p1.interest));
    await eachRefused('loan_periods', { loan_id: loanId, period: 1 }, [
      { paid: due, status: 'paid_on_time', last_paid_on: p1.due_on }, { paid: '10.00', status: 'partially_paid', last_paid_on: p1.due_on },
    ]);
    // A payoff row naming an entry that is not this loan's repayment: the disbursal's, or one another repayment names.
    const loan = await servicing(applicationId, loanId!);
    await loan.pay(1, '10.00');
    const disbursal = await db('ledger_entries').where({ kind: 'loan.disbursal' }).whereRaw(`metadata ->> 'loanId' = ?`, [loanId]).first('id');
    const paid = await db('loan_repayments').where({ loan_id: loanId }).first();
    const before = await db('loan_repayments').where({ loan_id: loanId }).orderBy('id');
    for (const ledger_entry_id of [disbursal.id, paid.ledger_entry_id]) {
      await refused(
        db('loan_repayments').insert({
          loan_id: loanId, period: 2, kind: 'payoff', amount: '60000.00', interest_part: '0.00', principal_part: '60000.00', paid_on: p1.due_on,
          bank_reference: `F-${randomUUID().slice(0, 8)}`, recorded_by: staff.bank.userId, ledger_entry_id, idempotency_key: randomUUID(),
        }),
        'loan_repayments',
        /ledger_entry_id/,
      );
    }
    expect(await db('loan_repayments').where({ loan_id: loanId }).orderBy('id')).to.deep.equal(before);
  });

  it('refuses re-planning periods on an extension that never extends the loan, or a second extension, and writes nothing', async () => {
    const { loanId } = await applicationAt('REPAYING');
    const before = await db('loan_periods').where({ loan_id: loanId }).orderBy('period');
    // An extension event alone opens the re-plan only until the transaction ends: the loan must be extended in it.
    await db('loan_events').insert({ loan_id: loanId, step: 'extension', on: before[0].due_on, idempotency_key: `forged-${randomUUID()}` });
    const last = before[before.length - 1];
    await refused(db('loan_periods').where({ loan_id: loanId, period: 3 }).update({ interest: '9999.00', subsidy: '9999.00' }), 'loan_periods', /extended/);
    // Period 13 as an extension plans it, but with no extension.
    const { rows: [at13] } = await db.raw(
      `select to_char(d, 'YYYY-MM-DD') as due_on, to_char(d, 'YYYY"Q"Q') as quarter from (select (disbursed_on + interval '13 months')::date as d from public.loans where id = ?) x`,
      [loanId],
    );
    await refused(db('loan_periods').insert({ ...last, period: 13, ...at13, extended: true, subsidy: '0.00', updated_at: undefined }), 'loan_periods', /extended/);
    expect(await db('loan_periods').where({ loan_id: loanId }).orderBy('period')).to.deep.equal(before);
    // A second extension event, or one for an extended loan, is refused outright.
    await refused(db('loan_events').insert({ loan_id: loanId, step: 'extension', on: before[0].due_on, idempotency_key: `forged-${randomUUID()}` }), 'loan_events', /extension/);
    const other = await applicationAt('REPAYING');
    const loan = await servicing(other.applicationId, other.loanId!);
    const ext = loan.m.checkExtension(6, loan.meta.today);
    await loan.steps.recordExtension({ ...loan.meta, key: `ext-${randomUUID()}`, months: 6, reason: 'flood', periods: ext.periods });
    await refused(db('loan_events').insert({ loan_id: other.loanId, step: 'extension', on: before[0].due_on, idempotency_key: `forged-${randomUUID()}` }), 'loan_events', /extension/);
  });

  it('refuses deleting periods, or inserting one already paid or due elsewhere, and writes nothing', async () => {
    const { loanId } = await applicationAt('REPAYING');
    const before = await db('loan_periods').where({ loan_id: loanId }).orderBy('period');
    await refused(db('loan_periods').where({ loan_id: loanId, period: 12 }).delete(), 'loan_periods', /deleted/);
    await refused(db('loan_periods').where({ loan_id: loanId }).delete(), 'loan_periods', /deleted/);
    const last = before[before.length - 1];
    for (const set of [
      { period: 13, due_on: addDays(last.due_on, 31), extended: true, subsidy: '0.00', paid: '10.00' },
      { period: 13, due_on: '2099-01-01', quarter: '2099Q1', extended: true, subsidy: '0.00' },
      { period: 13, due_on: addDays(last.due_on, 31), extended: false },
    ]) {
      await refused(db('loan_periods').insert({ ...last, ...set, updated_at: undefined }), 'loan_periods', /paid|due_on|extended|quarter/);
    }
    expect(await db('loan_periods').where({ loan_id: loanId }).orderBy('period')).to.deep.equal(before);
  });

  // ---- certificates and organisations ----------------------------------------------------------

  it("refuses rewriting a certificate's holder or issue date, or undoing its revocation", async () => {
    const { certificateNo } = await applicationAt('AWAITING_COUNTER_GUARANTEE');
    await eachRefused('certificates', { certificate_no: certificateNo }, [
      { holder_id_number: newIdNumber() }, { holder_name: 'Someone Else' }, { issued_on: '2020-01-01' }, { course: 'IYB' },
      { institution_id: orgs.community }, { registered_by: staff.bank.userId },
      { revoked_at: new Date().toISOString(), revocation_reason: 'nobody' }, // revoked by no one
    ]);
    await db('certificates').where({ certificate_no: certificateNo }).update({ revoked_at: db.fn.now(), revoked_by: staff.trainer.userId, revocation_reason: 'forged' });
    await eachRefused('certificates', { certificate_no: certificateNo }, [
      { revoked_at: null, revoked_by: null, revocation_reason: null }, { revocation_reason: 'rewritten' }, { revoked_by: staff.bank.userId },
    ]);
  });

  it('refuses a certificate registered already revoked, and writes nothing', async () => {
    const no = `SYB-REVOKED-${randomUUID().slice(0, 8)}`.toUpperCase();
    await refused(
      db('certificates').insert({
        certificate_no: no, institution_id: orgs.training, holder_id_number: newIdNumber(), holder_name: 'Revoked', course: 'SYB', issued_on: '2026-01-01',
        registered_by: staff.trainer.userId, revoked_at: new Date().toISOString(), revoked_by: staff.trainer.userId, revocation_reason: 'at once',
      }),
      'certificates',
      /revoked_at/,
    );
    expect(await db('certificates').where({ certificate_no: no }).first()).to.equal(undefined);
  });

  it('refuses a certificate registered by anyone but a training officer of a training institution, and writes nothing', async () => {
    // The intake trusts the registry: a certificate of the applicant's own making would pass anyone
    // without training.
    const valid = () => ({
      certificate_no: `SYB-FORGED-${randomUUID().slice(0, 8)}`.toUpperCase(), institution_id: orgs.training, holder_id_number: newIdNumber(),
      holder_name: 'Forged', course: 'SYB', issued_on: '2026-01-01', registered_by: staff.trainer.userId,
    });
    for (const [set, names] of [
      [{ institution_id: orgs.community }, /institution_id|registered_by/],
      [{ institution_id: orgs.community, registered_by: staff.community.userId }, /institution_id/],
      [{ registered_by: staff.applicant.userId }, /registered_by/],
      [{ registered_by: staff.bank.userId }, /registered_by/],
    ] as const) {
      const row = { ...valid(), ...set };
      await refused(db('certificates').insert(row), 'certificates', names);
      expect(await db('certificates').where({ certificate_no: row.certificate_no }).first()).to.equal(undefined);
    }
    // Backdated: recorded at the database's time all the same.
    const row = { ...valid(), registered_at: '2020-01-01T00:00:00Z' };
    const [{ now }] = (await db.raw('select now() as now')).rows;
    await db('certificates').insert(row);
    const stored = await db('certificates').where({ certificate_no: row.certificate_no }).first();
    expect(stored.registered_at.getTime()).to.be.at.least(new Date(now).getTime());
  });

  it('refuses a revocation backdated, or by anyone but a training officer of its institution', async () => {
    const { certificateNo } = await applicationAt('AWAITING_COUNTER_GUARANTEE');
    await eachRefused('certificates', { certificate_no: certificateNo }, [
      { revoked_at: '2020-01-01T00:00:00Z', revoked_by: staff.trainer.userId, revocation_reason: 'backdated' },
      { revoked_at: db.fn.now(), revoked_by: staff.bank.userId, revocation_reason: 'by a bank' },
      { revoked_at: db.fn.now(), revoked_by: staff.applicant.userId, revocation_reason: 'by the applicant' },
    ]);
  });

  it('refuses a subsidy accrual for a period not paid on time, to another bank, of another amount or on an entry not its own', async () => {
    const { applicationId, loanId } = await applicationAt('REPAYING');
    const s = await servicing(applicationId, loanId!);
    const [first, second] = await db('loan_periods').where({ loan_id: loanId }).orderBy('period').limit(2);
    // Period 1 paid in full and on time, recorded with no accrual yet: what a forged accrual would ride on.
    await s.pay(1, formatMoney(new Money(first.principal).plus(first.interest)), { accrue: false });
    expect(await db('loan_periods').where({ loan_id: loanId, period: 1 }).first()).to.include({ status: 'paid_on_time' });
    expect(new Money(first.subsidy).greaterThan(0), 'period 1 earns a subsidy').to.equal(true);
    const today = businessDateOf(Date.now());
    const entryFor = (period: number, amount: string, bank = orgs.bank) =>
      accrueSubsidy(db, { bankOrgId: bank, amount, postedOn: today, idempotencyKey: `forged-accrual:${randomUUID()}`, metadata: { loanId, period } });
    const accrual = (p: { period: number; quarter: string; due_on: unknown; subsidy: string }, entryId: number, o: Record<string, unknown> = {}) => ({
      loan_id: loanId, period: p.period, bank_id: orgs.bank, quarter: p.quarter, due_on: p.due_on, amount: p.subsidy, accrued_on: today,
      ledger_entry_id: entryId, idempotency_key: `forged-accrual:${randomUUID()}`, ...o,
    });
    const own = await entryFor(1, first.subsidy);
    const raised = formatMoney(new Money(first.subsidy).plus(100));
    const attacks = [
      accrual(second, (await entryFor(2, second.subsidy)).id), // a period not paid
      accrual(first, (await entryFor(1, first.subsidy, orgs.otherBank)).id, { bank_id: orgs.otherBank }), // another bank
      accrual(first, (await entryFor(1, raised)).id, { amount: raised }), // more than the period's subsidy
      accrual(first, (await entryFor(2, first.subsidy)).id), // an entry written for another period
      accrual(first, (await db('ledger_entries').where({ kind: 'loan.repayment' }).whereRaw(`metadata->>'loanId' = ?`, [loanId]).first('id')).id), // not an accrual
    ];
    for (const row of attacks) await refused(db('subsidy_accruals').insert(row), 'subsidy_accruals', /paid on time|accrual entry/);
    expect(await db('subsidy_accruals').where({ loan_id: loanId })).to.have.length(0);
    // What the repayment step would have written is accepted, once; its entry backs no second accrual.
    await db('subsidy_accruals').insert(accrual(first, own.id));
    const other = await applicationAt('REPAYING');
    const t = await servicing(other.applicationId, other.loanId!);
    const [otherFirst] = await db('loan_periods').where({ loan_id: other.loanId }).orderBy('period').limit(1);
    await t.pay(1, formatMoney(new Money(otherFirst.principal).plus(otherFirst.interest)), { accrue: false });
    await refused(db('subsidy_accruals').insert(accrual(otherFirst, own.id, { loan_id: other.loanId })), 'subsidy_accruals', /accrual entry/);
  });

  it('refuses a period marked paid on time when its last payment came past the grace days, or late when it came within them', async () => {
    const { applicationId, loanId } = await applicationAt('REPAYING');
    const s = await servicing(applicationId, loanId!);
    const [first] = await db('loan_periods').where({ loan_id: loanId }).orderBy('period').limit(1);
    const amount = formatMoney(new Money(first.principal).plus(first.interest));
    /** Period 1 paid in full on `paidOn`, recorded by the repayment step with the period's status as `status`. */
    const record = (paidOn: string, status: string) => {
      const b = { period: 1, amount, paidOn, bankReference: `R-${randomUUID().slice(0, 8)}` };
      const { plan, target, outstanding } = s.m.planRepayment(b, paidOn);
      return s.steps.recordRepayment({
        ...s.meta, today: paidOn, key: `grace-${randomUUID()}`, repayment: b, plan: { kind: plan.kind, interestPart: plan.interestPart, principalPart: plan.principalPart },
        periods: [{ ...target, status: status as never }], dropAfter: null, settled: null, repaidInFull: false, outstanding,
      });
    };
    const late = addDays(first.due_on, defaultPolicyParams.graceDays + 30);
    await refused(record(late, 'paid_on_time'), 'loan_periods', /status: paid_on_time/);
    await refused(record(first.due_on, 'paid_late'), 'loan_periods', /status: paid_late/);
    expect(await db('loan_repayments').where({ loan_id: loanId })).to.have.length(0);
    await record(late, 'paid_late');
    expect(await db('loan_periods').where({ loan_id: loanId, period: 1 }).first()).to.include({ status: 'paid_late', last_paid_on: late });
  });

  it("refuses changing an organisation's type", async () => {
    await eachRefused('organisations', { id: orgs.bank }, [{ type: 'guarantee_company' }, { id: randomUUID() }]);
  });

  it('refuses deleting applications, loans, certificates and organisations, and truncating any of them or the periods', async () => {
    const { applicationId, loanId, certificateNo } = await applicationAt('REPAYING');
    const rows: Array<[string, Record<string, unknown>]> = [
      ['applications', { id: applicationId }], ['loans', { id: loanId }], ['certificates', { certificate_no: certificateNo }], ['organisations', { id: orgs.community }],
    ];
    for (const [table, where] of rows) {
      // The privilege is withheld (its trigger always refuses), and the trigger stands behind it.
      await refused(db(table).where(where).delete(), table, /permission denied|never removed/);
      expect(await db(table).where(where).first(), table).to.not.equal(undefined);
    }
    const owner = adminOf(db);
    for (const table of ['applications', 'loans', 'loan_periods', 'certificates', 'organisations']) {
      await refused(db.raw(`truncate public.${table} cascade`), table, /permission denied|never removed/);
      // Even the owner: in a transaction rolled back whatever happens, so a failure erases nothing.
      const e = await refusal(
        owner.transaction(async (trx) => {
          await trx.raw(`truncate public.${table} cascade`);
          throw new Error('truncated');
        }),
      );
      expect(e?.message, table).to.match(new RegExp(`TRUNCATE on ${table} is not allowed: its rows are never removed`));
    }
    expect(await db('loans').where({ id: loanId }).first()).to.not.equal(undefined);
  });
});
