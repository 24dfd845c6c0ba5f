import { expect } from 'chai';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { adminOf, type TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { amountDue, expectTrialBalance, ledgerOfLoan, openLoan, pay, skipTo } from './helpers';
import { buildSchedule, scheduleTotals } from '../../domain/schedule';
import { defaultPolicyParams } from '../../domain/policy';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { accountCode } from '../../db/ledger';
import { addDays } from '../../domain/dates';

describe('loan repayments (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true })));
  after(async () => h?.close());

  it('all on time: every period earns its scheduled subsidy to the fen, accrued to the bank in the ledger; loan and application REPAID', async () => {
    const { loanId, applicationId, disbursedOn, applicant } = await openLoan(h, skipping, orgs, { termMonths: 12 });
    const expected = buildSchedule({
      repaymentMethod: 'monthly_interest_bullet', amount: '80000.00', annualRate: '0.0435', disbursedOn, termMonths: 12, policy: defaultPolicyParams,
    });
    const bank = await h.login('bank-a');
    const before = await h.call('GET', `/v1/loans/${loanId}`, { token: bank });
    expect(before.body.schedule.map((p: any) => [p.period, p.dueOn, p.principal, p.interest, p.subsidy])).to.deep.equal(
      expected.map((l) => [l.period, l.dueOn, l.principal, l.interest, l.subsidy]),
    );
    expect(before.body).to.include({ status: 'REPAYING', principal: '80000.00', outstanding: '80000.00' });

    for (const line of expected) await pay(h, skipping, loanId, line);

    const after = await h.call('GET', `/v1/loans/${loanId}`, { token: applicant.token });
    expect(after.status).to.equal(200);
    expect(after.body).to.include({ status: 'REPAID', outstanding: '0.00' });
    const totals = scheduleTotals(expected);
    expect(after.body.subsidyEarned).to.equal(totals.subsidy);
    for (const [i, p] of after.body.schedule.entries()) {
      expect(p).to.include({ onTime: true, paidOn: expected[i]!.dueOn, subsidy: expected[i]!.subsidy, status: 'paid_on_time' });
    }
    const app = await h.call('GET', `/v1/applications/${applicationId}`, { token: applicant.token });
    expect(app.body.status).to.equal('REPAID');

    // The ledger agrees, entry by entry: accruals payable to the bank, interest income, principal back.
    const ledger = await ledgerOfLoan(env.db, loanId);
    expect(ledger[accountCode.bank(orgs.bankA, 'subsidy_payable')]).to.equal(`-${totals.subsidy}`);
    expect(ledger[accountCode.subsidyExpense()]).to.equal(totals.subsidy);
    expect(ledger[accountCode.bank(orgs.bankA, 'interest_income')]).to.equal(`-${totals.interest}`);
    expect(ledger[accountCode.bank(orgs.bankA, 'loans_receivable')]).to.equal('0.00');
    expect(ledger[accountCode.bank(orgs.bankA, 'cash')]).to.equal(totals.interest);
    const accruals = await env.db('subsidy_accruals').where({ loan_id: loanId });
    expect(accruals).to.have.length(12);
    expect(formatMoney(sumMoney(accruals.map((a) => a.amount)))).to.equal(totals.subsidy);
    await expectTrialBalance(env.db);

    const record = await h.call('GET', `/v1/integrity-records/${applicant.idNumber}`, { token: applicant.token });
    expect(record.body).to.include({ loans: 1, onTimePeriods: 12, latePeriods: 0, defaults: 0 });
    expect(record.body.events.map((e: any) => e.kind)).to.include.members(['disbursed', 'on_time', 'repaid']);
  });

  it('one late period: exactly that period earns no subsidy; partial payments are recorded; the rest is subsidised to the fen', async () => {
    const { loanId, disbursedOn, applicant } = await openLoan(h, skipping, orgs, { termMonths: 6, repaymentMethod: 'equal_instalment', amount: '60000.00' });
    const expected = buildSchedule({
      repaymentMethod: 'equal_instalment', amount: '60000.00', annualRate: '0.0435', disbursedOn, termMonths: 6, policy: defaultPolicyParams,
    });
    await pay(h, skipping, loanId, expected[0]!);
    // Period 2: part on its due date, the rest three days late.
    const p2 = expected[1]!;
    await pay(h, skipping, loanId, p2, { amount: '1000.00' });
    const rest = formatMoney(new Money(amountDue(p2)).minus('1000.00'));
    const mid = await h.call('GET', `/v1/loans/${loanId}`, { token: await h.login('bank-a') });
    expect(mid.body.schedule[1]).to.include({ paid: '1000.00', status: 'partially_paid', onTime: null });
    await pay(h, skipping, loanId, p2, { amount: rest, paidOn: addDays(p2.dueOn, 3) });
    for (const line of expected.slice(2)) await pay(h, skipping, loanId, line);

    const loan = (await h.call('GET', `/v1/loans/${loanId}`, { token: await h.login('bank-a') })).body;
    expect(loan.status).to.equal('REPAID');
    expect(loan.schedule[1]).to.include({ onTime: false, subsidy: '0.00', status: 'paid_late', paidOn: addDays(p2.dueOn, 3) });
    const unsubsidised = formatMoney(new Money(scheduleTotals(expected).subsidy).minus(p2.subsidy));
    expect(loan.subsidyEarned).to.equal(unsubsidised);
    expect(loan.repayments.filter((r: any) => r.period === 2).map((r: any) => r.amount)).to.deep.equal(['1000.00', rest]);

    const ledger = await ledgerOfLoan(env.db, loanId);
    expect(ledger[accountCode.subsidyExpense()]).to.equal(unsubsidised);
    expect(await env.db('subsidy_accruals').where({ loan_id: loanId, period: 2 })).to.have.length(0);
    const record = (await h.call('GET', `/v1/integrity-records/${applicant.idNumber}`, { token: await h.login('auditor') })).body;
    expect(record).to.include({ onTimePeriods: 5, latePeriods: 1 });
    await expectTrialBalance(env.db);
  });

  it('an Idempotency-Key reused after it expired reports the next repayment, not the old one again', async () => {
    const { loanId } = await openLoan(h, skipping, orgs, { termMonths: 12 });
    const bank = await h.login('bank-a');
    const schedule = (await h.call('GET', `/v1/loans/${loanId}`, { token: bank })).body.schedule;
    const key = `repay-${loanId}`;
    const report = async (p: any) => {
      await skipTo(skipping, p.dueOn);
      return h.call('POST', `/v1/loans/${loanId}/repayments`, {
        token: bank,
        body: { period: p.period, amount: amountDue(p), paidOn: p.dueOn, bankReference: `K-${loanId.slice(0, 8)}-${p.period}` },
        headers: { 'Idempotency-Key': key },
      });
    };
    expect((await report(schedule[0])).status).to.equal(201);
    // A day later the key has expired (here, moved back by the owner; a stored reply is final to the app role).
    await adminOf(env.db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('idempotency_keys').where({ key }).update({ expires_at: trx.raw(`now() - interval '1 second'`) });
    });
    const second = await report(schedule[1]);
    expect(second.status, JSON.stringify(second.body)).to.equal(201);
    expect(second.headers.get('idempotent-replayed')).to.equal(null);
    const after = await h.call('GET', `/v1/loans/${loanId}`, { token: bank });
    expect(after.body.schedule.slice(0, 2).map((p: any) => [p.period, p.status])).to.deep.equal([
      [1, 'paid_on_time'],
      [2, 'paid_on_time'],
    ]);
  });

  it("refuses what does not fit, naming the field, and only the loan's own bank may report", async () => {
    const { loanId, loan, applicant } = await openLoan(h, skipping, orgs, { termMonths: 6 });
    // Who sees the loan: the borrower, the bank, the guarantee company, finance and the auditor.
    for (const [who, status] of [['bank-a', 200], ['g-reviewer', 200], ['fin-officer', 200], ['auditor', 200], ['bank-b', 403]] as const) {
      expect((await h.call('GET', `/v1/loans/${loanId}`, { token: await h.login(who) })).status, who).to.equal(status);
    }
    expect((await h.call('GET', `/v1/loans/${loanId}`, { token: applicant.token })).status).to.equal(200);
    expect((await h.call('GET', `/v1/loans/${loanId}`, { token: (await newApplicant(h)).token })).status).to.equal(403);
    expect((await h.call('GET', `/v1/loans/00000000-0000-4000-8000-000000000000`, { token: await h.login('auditor') })).status).to.equal(404);
    expect((await h.call('GET', `/v1/integrity-records/${applicant.idNumber}`, { token: (await newApplicant(h)).token })).status).to.equal(403);
    expect((await h.call('GET', '/v1/integrity-records/123', { token: await h.login('auditor') })).status).to.equal(400);
    const p1 = loan.schedule[0];
    const body = { period: 1, amount: amountDue(p1), paidOn: loan.disbursedOn, bankReference: 'X-1' };
    const post = async (user: string, b: Record<string, unknown>) =>
      h.call('POST', `/v1/loans/${loanId}/repayments`, { token: await h.login(user), body: { ...body, ...b } });

    const other = await post('bank-b', {});
    expect(other.status).to.equal(403);
    expect((await post('g-approver', {})).status).to.equal(403);
    const future = await post('bank-a', { paidOn: addDays(loan.disbursedOn, 1) });
    expect(future.status).to.equal(400);
    expect(future.body.error.details[0].path).to.equal('paidOn');
    const too = await post('bank-a', { amount: '99999.00' });
    expect(too.status).to.equal(400);
    expect(too.body.error.details[0].path).to.equal('amount');
    const order = await post('bank-a', { period: 2 });
    expect(order.status).to.equal(409);
    expect(order.body.error.code).to.equal('INVALID_STATE');
    const bad = await post('bank-a', { amount: 300 });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('amount');
    expect(await env.db('loan_repayments').where({ loan_id: loanId })).to.have.length(0);

    // A retried request with the same Idempotency-Key replays the first answer; nothing posts twice.
    const bankA = await h.login('bank-a');
    const send = () => h.call('POST', `/v1/loans/${loanId}/repayments`, { token: bankA, body, headers: { 'Idempotency-Key': `pay-${loanId}` } });
    const ok = await send();
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    const replay = await send();
    expect(replay.status).to.equal(201);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    expect(await env.db('loan_repayments').where({ loan_id: loanId })).to.have.length(1);
    expect(await env.db('ledger_entries').where({ kind: 'loan.repayment' }).whereRaw(`metadata->>'loanId' = ?`, [loanId])).to.have.length(1);
    const again = await post('bank-a', { bankReference: 'X-2' });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('CONFLICT');
    await skipTo(skipping, p1.dueOn);
    const reused = await post('bank-a', { period: 2, amount: '1.00', bankReference: 'X-1' });
    expect(reused.status).to.equal(409);
    expect(reused.body.error.details[0].path).to.equal('bankReference');
  });
});
