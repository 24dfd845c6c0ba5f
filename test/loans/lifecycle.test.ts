import { expect } from 'chai';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestEnv } from '../support/env';
import { openApiSuite, type ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import {
  amountDue,
  expectTrialBalance,
  ledgerOfLoan,
  openLoan,
  pay,
  serverToday,
  skipTo,
  underPolicy,
} from './helpers';
import { accountCode } from '../../db/ledger';
import { addDays, compareDates, daysBetween } from '../../domain/dates';
import { Money, formatMoney, roundFen, sumMoney } from '../../domain/money';
import { loanStateQuery, loanWorkflowId } from '../../workflows/definitions';

const neg = (x: string) => formatMoney(new Money(x).negated());

describe('loan lifecycle: extension, early repayment, default and 代偿, recovery, a 36-month loan (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true })));
  after(async () => h?.close());

  it('extends once within the policy: the periods not yet due are re-planned, extended periods earn no subsidy', async () => {
    const bank = await h.login('bank-a');
    const { loanId, loan } = await openLoan(h, skipping, orgs, { termMonths: 12 });
    for (const p of loan.schedule.slice(0, 3)) await pay(h, skipping, loanId, p);
    const extend = (months: number) => h.call('POST', `/v1/loans/${loanId}/extension`, { token: bank, body: { months, reason: 'seasonal trade slowed' } });

    const tooLong = await extend(13);
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.error.details[0].path).to.equal('months');
    expect((await h.call('POST', `/v1/loans/${loanId}/extension`, { token: await h.login('bank-b'), body: { months: 6, reason: 'x' } })).status).to.equal(403);

    const extended = await extend(6);
    expect(extended.status, JSON.stringify(extended.body)).to.equal(200);
    const s = extended.body.schedule;
    expect(s).to.have.length(18);
    expect(extended.body).to.include({ extendedMonths: 6, maturityOn: s[17].dueOn });
    expect(s.slice(0, 12).map((p: any) => [p.dueOn, p.interest, p.subsidy])).to.deep.equal(loan.schedule.map((p: any) => [p.dueOn, p.interest, p.subsidy]));
    expect(s[11].principal).to.equal('0.00');
    expect(s[17].principal).to.equal('80000.00');
    for (const p of s.slice(12)) expect(p).to.include({ extended: true, subsidy: '0.00' });
    const again = await extend(3);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('INVALID_STATE');

    for (const p of s.slice(3)) await pay(h, skipping, loanId, p);
    const done = (await h.call('GET', `/v1/loans/${loanId}`, { token: bank })).body;
    expect(done.status).to.equal('REPAID');
    const earned = formatMoney(sumMoney(loan.schedule.map((p: any) => p.subsidy)));
    expect(done.subsidyEarned).to.equal(earned);
    expect(await env.db('subsidy_accruals').where({ loan_id: loanId }).andWhere('period', '>', 12)).to.have.length(0);
    const ledger = await ledgerOfLoan(env.db, loanId);
    expect(ledger[accountCode.subsidyExpense()]).to.equal(earned);
    expect(ledger[accountCode.bank(orgs.bankA, 'interest_income')]).to.equal(neg(formatMoney(sumMoney(s.map((p: any) => p.interest)))));
    expect(ledger[accountCode.bank(orgs.bankA, 'loans_receivable')]).to.equal('0.00');
    await expectTrialBalance(env.db);
  });

  it('early full repayment ends the loan with interest and subsidy for the actual days of the broken period', async () => {
    const bank = await h.login('bank-a');
    const { loanId, loan, applicationId, applicant } = await openLoan(h, skipping, orgs, { termMonths: 12, repaymentMethod: 'equal_instalment' });
    for (const p of loan.schedule.slice(0, 3)) await pay(h, skipping, loanId, p);
    const paidOn = addDays(loan.schedule[2].dueOn, 10);
    await skipTo(skipping, paidOn);
    const outstanding = (await h.call('GET', `/v1/loans/${loanId}`, { token: bank })).body.outstanding;
    const principalLeft = formatMoney(new Money('80000.00').minus(sumMoney(loan.schedule.slice(0, 3).map((p: any) => p.principal))));
    expect(outstanding).to.equal(principalLeft);
    // Actual days / 360 on what is still owed, rounded once.
    const interest = formatMoney(roundFen(new Money(outstanding).times('0.0435').times(daysBetween(loan.schedule[2].dueOn, paidOn)).dividedBy(360)));
    const payoff = formatMoney(new Money(outstanding).plus(interest));

    const wrong = await h.call('POST', `/v1/loans/${loanId}/repayments`, { token: bank, body: { period: 4, amount: formatMoney(new Money(payoff).plus('1.00')), paidOn, bankReference: 'EARLY-x' } });
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error.message).to.contain(payoff);
    const r = await h.call('POST', `/v1/loans/${loanId}/repayments`, { token: bank, body: { period: 4, amount: payoff, paidOn, bankReference: 'EARLY-1' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body).to.include({ status: 'REPAID', outstanding: '0.00' });
    expect(r.body.schedule).to.have.length(4);
    expect(r.body.schedule[3]).to.include({ dueOn: paidOn, principal: outstanding, interest, subsidy: interest, onTime: true });
    const earned = formatMoney(sumMoney([...loan.schedule.slice(0, 3).map((p: any) => p.subsidy), interest]));
    expect(r.body.subsidyEarned).to.equal(earned);
    expect((await h.call('GET', `/v1/applications/${applicationId}`, { token: applicant.token })).body.status).to.equal('REPAID');

    const ledger = await ledgerOfLoan(env.db, loanId);
    expect(ledger[accountCode.bank(orgs.bankA, 'loans_receivable')]).to.equal('0.00');
    expect(ledger[accountCode.subsidyExpense()]).to.equal(earned);
    const record = (await h.call('GET', `/v1/integrity-records/${applicant.idNumber}`, { token: bank })).body;
    expect(record.events.map((e: any) => e.kind)).to.include('early_repaid');
    const after = await h.call('POST', `/v1/loans/${loanId}/repayments`, { token: bank, body: { period: 4, amount: '1.00', paidOn, bankReference: 'EARLY-2' } });
    expect(after.status).to.equal(409);
    await expectTrialBalance(env.db);
  });

  it('defaults past the threshold: 代偿 split by each loss-sharing policy, posted to the ledger, on the integrity record; recoveries repay the fund and the company', async () => {
    const splits = [
      { guaranteeFund: '1', bank: '0', guaranteeCompany: '0' },
      { guaranteeFund: '0.8', bank: '0.2', guaranteeCompany: '0' },
      { guaranteeFund: '0.7', bank: '0.25', guaranteeCompany: '0.05' },
    ];
    const loans = [];
    for (const lossSharing of splits) loans.push({ lossSharing, ...(await underPolicy(h, { lossSharing }, () => openLoan(h, skipping, orgs, { termMonths: 12 }))) });
    for (const l of loans) await pay(h, skipping, l.loanId, l.loan.schedule[0]);
    const p2 = loans[0]!.loan.schedule[1];
    const defaultOn = addDays(p2.dueOn, 91);
    await skipTo(skipping, addDays(defaultOn, -1));
    expect((await h.call('GET', `/v1/loans/${loans[0]!.loanId}`, { token: await h.login('bank-a') })).body.status).to.equal('REPAYING');
    await skipTo(skipping, defaultOn);

    const guarantor = orgs.guarantee;
    for (const l of loans) {
      const view = (await h.call('GET', `/v1/loans/${l.loanId}`, { token: await h.login('g-approver') })).body;
      expect(view.status, l.loanId).to.equal('DEFAULTED');
      const dueInterest = sumMoney(view.schedule.filter((p: any) => p.period > 1 && compareDates(p.dueOn, defaultOn) <= 0).map((p: any) => p.interest));
      const loss = new Money('80000.00').plus(dueInterest);
      const d = view.default;
      expect(d).to.include({ on: defaultOn, lossPrincipal: '80000.00', lossInterest: formatMoney(dueInterest), recovered: '0.00' });
      const parts = { guaranteeFund: d.compensatedByFund, bank: d.borneByBank, guaranteeCompany: d.compensatedByCompany };
      expect(formatMoney(sumMoney(Object.values(parts)))).to.equal(formatMoney(loss));
      for (const k of Object.keys(parts) as Array<keyof typeof parts>) {
        expect(new Money(parts[k]).minus(loss.times(l.lossSharing[k])).abs().lessThanOrEqualTo('0.02'), k).to.equal(true);
      }
      expect(view.schedule.slice(1).every((p: any) => p.status === 'defaulted' && p.subsidy === '0.00')).to.equal(true);
      expect((await h.call('GET', `/v1/applications/${l.applicationId}`, { token: l.applicant.token })).body.status).to.equal('DEFAULTED');

      // The ledger: the bank's receivable is closed out, its share is its loss, the rest is owed to the guarantor.
      const ledger = await ledgerOfLoan(env.db, l.loanId);
      const compensated = formatMoney(new Money(parts.guaranteeFund).plus(parts.guaranteeCompany));
      expect(ledger[accountCode.bank(orgs.bankA, 'loans_receivable')]).to.equal('0.00');
      expect(ledger[accountCode.bank(orgs.bankA, 'loan_losses')] ?? '0.00').to.equal(parts.bank);
      expect(ledger[accountCode.guarantor(guarantor, 'compensation_receivable')] ?? '0.00').to.equal(compensated);
      expect(ledger[accountCode.guarantor(guarantor, 'guarantee_fund')] ?? '0.00').to.equal(neg(parts.guaranteeFund));
      expect(ledger[`guarantor:${guarantor}:own_funds`] ?? '0.00').to.equal(neg(parts.guaranteeCompany));
      expect(ledger[accountCode.guarantor(guarantor, 'commitments')]).to.equal('0.00');
      expect(await env.db('subsidy_accruals').where({ loan_id: l.loanId }).andWhere('period', '>', 1)).to.have.length(0);

      const record = (await h.call('GET', `/v1/integrity-records/${l.applicant.idNumber}`, { token: l.applicant.token })).body;
      expect(record).to.include({ loans: 1, onTimePeriods: 1, defaults: 1 });
      expect(record.events.map((e: any) => e.kind)).to.include.members(['default', 'compensation']);
      const late = await h.call('POST', `/v1/loans/${l.loanId}/repayments`, {
        token: await h.login('bank-a'),
        body: { period: 2, amount: amountDue(p2), paidOn: defaultOn, bankReference: `AFTER-${l.loanId.slice(0, 6)}` },
      });
      expect(late.status).to.equal(409);
    }

    // Recoveries on the 70 / 25 / 5 loan: pro rata back to the guarantee fund and the company.
    const l = loans[2]!;
    const view = (await h.call('GET', `/v1/loans/${l.loanId}`, { token: await h.login('g-reviewer') })).body;
    const receivable = new Money(view.default.compensatedByFund).plus(view.default.compensatedByCompany);
    const today = await serverToday(skipping);
    const recover = (user: string, amount: string, reference: string) =>
      h.login(user).then((token) => h.call('POST', `/v1/loans/${l.loanId}/recoveries`, { token, body: { amount, receivedOn: today, reference } }));
    expect((await recover('bank-a', '100.00', 'REC-0')).status).to.equal(403);
    const over = await recover('g-reviewer', formatMoney(receivable.plus('0.01')), 'REC-0');
    expect(over.status).to.equal(400);
    expect(over.body.error.details[0].path).to.equal('amount');
    const first = await recover('g-reviewer', '10000.00', 'REC-1');
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.default.recovered).to.equal('10000.00');
    expect((await recover('g-approver', '1.00', 'REC-1')).status).to.equal(409);
    const rest = formatMoney(receivable.minus('10000.00'));
    const second = await recover('g-approver', rest, 'REC-2');
    expect(second.status).to.equal(201);
    expect(second.body.default.recovered).to.equal(formatMoney(receivable));
    const ledger = await ledgerOfLoan(env.db, l.loanId);
    expect(ledger[accountCode.guarantor(guarantor, 'compensation_receivable')]).to.equal('0.00');
    expect(ledger[accountCode.guarantor(guarantor, 'guarantee_fund')]).to.equal('0.00');
    expect(ledger[`guarantor:${guarantor}:own_funds`]).to.equal('0.00');
    const record = (await h.call('GET', `/v1/integrity-records/${l.applicant.idNumber}`, { token: await h.login('auditor') })).body;
    expect(record).to.include({ recoveries: 2, recoveredAmount: formatMoney(receivable) });
    // Recovered in full, the loan's workflow has ended; nothing more can be recorded.
    const done = await recover('g-reviewer', '1.00', 'REC-3');
    expect(done.status).to.equal(409);
    await expectTrialBalance(env.db);
  });

  // "In seconds" is the test's own timeout; a duration is measured by benches, not asserted here.
  it('runs a 36-month loan in seconds, its history split by continue-as-new', async () => {
    const { loanId, loan } = await underPolicy(h, { termMonthsMax: 36 }, () => openLoan(h, skipping, orgs, { termMonths: 36, repaymentMethod: 'equal_instalment' }));
    expect(loan.schedule).to.have.length(36);
    const handle = skipping.client.workflow.getHandle(loanWorkflowId(loanId));
    const firstRun = (await handle.describe()).runId;
    for (const p of loan.schedule.slice(0, 35)) await pay(h, skipping, loanId, p);
    const state = await handle.query(loanStateQuery);
    expect(state.run).to.be.greaterThanOrEqual(3);
    expect((await handle.describe()).runId).to.not.equal(firstRun);
    await pay(h, skipping, loanId, loan.schedule[35]);
    const done = (await h.call('GET', `/v1/loans/${loanId}`, { token: await h.login('bank-a') })).body;
    expect(done).to.include({ status: 'REPAID', outstanding: '0.00', subsidyEarned: formatMoney(sumMoney(loan.schedule.map((p: any) => p.subsidy))) });
    expect((await env.db('loan_repayments').where({ loan_id: loanId })).length).to.equal(36);
  });
});
