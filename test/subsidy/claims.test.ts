import { expect } from 'chai';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestEnv } from '../support/env';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { expectTrialBalance, fundFor, pay, serverToday, skipTo } from '../loans/helpers';
import { claimsOpen, loanPaidThrough, login, newOrg, skipPastQuarter } from './helpers';
import { storedClaim } from '../finance/helpers';
import { randomUUID } from 'node:crypto';
import { accountBalance, accountCode, allocateBudget, getFundStatus } from '../../db/ledger';
import { addDays, compareDates, quarterBounds } from '../../domain/dates';
import { Money, formatMoney, sumMoney } from '../../domain/money';

/** The quarter with the most periods among the first `n`, and those periods. */
function busiestQuarter(periods: any[], n: number): { quarter: string; periods: any[] } {
  const byQuarter = new Map<string, any[]>();
  for (const p of periods.slice(0, n)) byQuarter.set(p.quarter, [...(byQuarter.get(p.quarter) ?? []), p]);
  const [quarter, ps] = [...byQuarter.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  return { quarter, periods: ps };
}

/** Principal still owed on a date, from what the bank reported paid before it (or on it). */
function balanceOn(principal: string, paid: Array<{ paidOn: string; principal: string }>, date: string, inclusive: boolean): string {
  const before = paid.filter((p) => (inclusive ? compareDates(p.paidOn, date) <= 0 : compareDates(p.paidOn, date) < 0));
  return formatMoney(new Money(principal).minus(sumMoney(before.map((p) => p.principal))));
}

/** Pays whatever is left of the loans, period by period across them (late where the due date has passed), so none defaults later on. */
async function settle(h: ApiHarness, on: TestWorkflowEnvironment, loans: Array<{ loanId: string; token: string }>) {
  const schedules = await Promise.all(loans.map(async (l) => (await h.call('GET', `/v1/loans/${l.loanId}`, { token: l.token })).body.schedule));
  const periods = Math.max(...schedules.map((s) => s.length));
  for (let k = 0; k < periods; k++) {
    for (const [i, l] of loans.entries()) {
      const p = schedules[i][k];
      if (!p || p.status === 'paid_on_time' || p.status === 'paid_late') continue;
      const today = await serverToday(on);
      await pay(h, on, l.loanId, p, { bankToken: l.token, paidOn: compareDates(p.dueOn, today) < 0 ? today : p.dueOn });
    }
  }
}

describe('subsidy claims (time-skipping server)', () => {
  let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true })));
  after(async () => h?.close());

  it('files a quarter: lines are exactly its on-time periods with balances; check, then approval by another person pays from the fund; every figure in the ledger', async () => {
    const bank = await newOrg(h, env.db, 'bank', ['bank_officer']);
    const bankToken = await login(h, bank.users.bank_officer!);
    // Pay up to the end of the busiest quarter among the first four periods; its first period late.
    const opened = await loanPaidThrough(h, skipping, orgs, bank.users.bank_officer!, { payPeriods: 0 });
    const { quarter, periods: inQuarter } = busiestQuarter(opened.loan.schedule, 4);
    const late = inQuarter[0]!.period;
    const lastInQuarter = inQuarter[inQuarter.length - 1]!.period;
    const paid: Array<{ paidOn: string; principal: string }> = [];
    for (const p of opened.loan.schedule.slice(0, lastInQuarter)) {
      const paidOn = p.period === late ? addDays(p.dueOn, 5) : p.dueOn;
      await pay(h, skipping, opened.loanId, p, { bankToken, paidOn });
      paid.push({ paidOn, principal: p.principal });
    }
    await skipPastQuarter(skipping, quarter);
    const year = Number((await serverToday(skipping)).slice(0, 4));
    const fundId = await fundFor(env.db, year, '1000000.00', `claims-test-budget-${bank.orgId}`);
    const fundBefore = await getFundStatus(env.db, fundId);

    // Too early for the next quarter, and never for a quarter still running.
    const early = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter: `${year + 1}Q1` } });
    expect(early.status).to.equal(400);
    expect(early.body.error.details[0].path).to.equal('quarter');

    const filed = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const claim = filed.body;
    const expectedLines = inQuarter.filter((p) => p.period !== late);
    const { start, end } = quarterBounds(quarter);
    expect(claim).to.include({ bankId: bank.orgId, quarter, status: 'SUBMITTED', late: false });
    expect(claim.lines.map((l: any) => ({ loanId: l.loanId, period: l.period, amount: l.amount }))).to.deep.equal(
      expectedLines.map((p) => ({ loanId: opened.loanId, period: p.period, amount: p.subsidy })),
    );
    for (const l of claim.lines) {
      expect(l.balanceAtStart).to.equal(balanceOn(opened.loan.principal, paid, start, false));
      expect(l.balanceAtEnd).to.equal(balanceOn(opened.loan.principal, paid, end, true));
    }
    expect(claim.total).to.equal(formatMoney(sumMoney(expectedLines.map((p) => p.subsidy))));

    // The lines come a page at a time (a bank's quarter can hold hundreds of thousands).
    expect(claim).to.include({ lineCount: expectedLines.length, linesPage: 1 });
    const lineAt = async (page: number) => h.call('GET', `/v1/subsidy-claims/${claim.id}?page=${page}&pageSize=1`, { token: bankToken });
    for (const [i, line] of claim.lines.entries()) {
      const one = await lineAt(i + 1);
      expect(one.status, JSON.stringify(one.body)).to.equal(200);
      expect(one.body).to.include({ lineCount: expectedLines.length, linesPage: i + 1, linesPageSize: 1 });
      expect(one.body.lines).to.deep.equal([line]);
    }
    expect((await lineAt(expectedLines.length + 1)).body.lines).to.deep.equal([]);
    for (const [query, path] of [['pageSize=0', 'pageSize'], ['pageSize=2001', 'pageSize'], ['page=0', 'page'], ['lines=all', 'lines']]) {
      const bad = await h.call('GET', `/v1/subsidy-claims/${claim.id}?${query}`, { token: bankToken });
      expect(bad.status, query).to.equal(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path), query).to.include(path);
    }

    // Double filing while one is in progress is refused.
    const twice = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
    expect(twice.status).to.equal(409);
    expect(twice.body.error.code).to.equal('CONFLICT');

    // Roles and organisations.
    expect((await h.call('GET', `/v1/subsidy-claims/${claim.id}`, { token: await h.login('bank-b') })).status).to.equal(403);
    expect((await h.call('GET', `/v1/subsidy-claims/${claim.id}`, { token: await h.login('auditor') })).status).to.equal(200);
    expect((await h.call('GET', '/v1/subsidy-claims', { token: (await newApplicant(h)).token })).status).to.equal(403);
    const decide = async (user: string, what: 'check' | 'approval', body: unknown) =>
      h.call('POST', `/v1/subsidy-claims/${claim.id}/${what}`, { token: await h.login(user), body });
    expect((await h.call('POST', `/v1/subsidy-claims/${claim.id}/check`, { token: bankToken, body: { decision: 'approve' } })).status).to.equal(403);
    const tooSoon = await decide('fin-approver', 'approval', { decision: 'approve' });
    expect(tooSoon.status).to.equal(409);
    expect(tooSoon.body.error.code).to.equal('INVALID_STATE');
    const checked = await decide('fin-officer', 'check', { decision: 'approve', reason: 'matches the repayment records' });
    expect(checked.status, JSON.stringify(checked.body)).to.equal(200);
    expect(checked.body.status).to.equal('CHECKED');
    expect((await decide('fin-officer', 'approval', { decision: 'approve' })).status).to.equal(403);
    const approved = await decide('fin-approver', 'approval', { decision: 'approve', reason: 'ok' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body).to.include({ status: 'PAID', fundId });

    // The fund paid exactly the claim; the bank's payable holds what it earned and was not yet paid.
    const fundAfter = await getFundStatus(env.db, fundId);
    expect(fundAfter.paid).to.equal(formatMoney(new Money(fundBefore.paid).plus(claim.total)));
    expect(fundAfter.available).to.equal(formatMoney(new Money(fundBefore.available).minus(claim.total)));
    const accrued = await env.db('subsidy_accruals').where({ bank_id: bank.orgId });
    const payable = await accountBalance(env.db, accountCode.bank(bank.orgId, 'subsidy_payable'));
    expect(payable.balance).to.equal(formatMoney(sumMoney(accrued.map((a) => a.amount)).minus(claim.total)));
    const claimEntries = await env.db('ledger_entries').whereRaw(`metadata->>'claimId' = ?`, [claim.id]).orderBy('id');
    expect(claimEntries.map((e) => e.kind)).to.deep.equal(['fund.reservation', 'fund.payout']);
    const audits = await env.db('audit_log').where({ entity_type: 'subsidy_claim', entity_id: claim.id }).orderBy('id').pluck('action');
    expect(audits).to.deep.equal(['subsidy_claim.file', 'subsidy_claim.check.approve', 'subsidy_claim.approval.approve']);
    await expectTrialBalance(env.db);

    // Nothing is left to claim for that quarter; and the database itself refuses, to the
    // application's own role, a second claim of a paid period, a change of what a filed claim
    // covers, and a paid claim rejected (which would free its periods).
    const again = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
    expect(again.status).to.equal(409);
    const paidRow = await env.db('subsidy_claims').where({ id: claim.id }).first();
    expect(paidRow.line_count).to.equal(expectedLines.length);
    const filedBy = (await env.db('users').where({ username: bank.users.bank_officer }).first()).id;
    const sneak = (row: Record<string, unknown>) =>
      env.db('subsidy_claims')
        .insert({ id: randomUUID(), bank_id: bank.orgId, quarter, workflow_id: 'x', late: false, filed_on: end, filed_by: filedBy, ...row })
        .catch((e) => e);
    expect((await sneak({ status: 'SUBMITTED' })).code, 'nothing left to claim').to.equal('P0002');
    for (const status of ['SUBMITTED', 'CHECKED']) {
      expect((await sneak({ status, seqs: paidRow.seqs, total: claim.total })).code, `${status}: a coverage of its own`).to.equal('23514');
      expect((await sneak({ status, total: claim.total, line_count: paidRow.line_count })).code, `${status}: a count of its own`).to.equal('23514');
    }
    const beside = randomUUID();
    await storedClaim(env.db, { id: beside, bank_id: bank.orgId, quarter, workflow_id: 'x', status: 'CHECKED', late: false, total: claim.total, filed_on: end, filed_by: filedBy });
    const cover = await env.db('subsidy_claims').where({ id: beside }).update({ seqs: paidRow.seqs }).catch((e) => e);
    expect(cover.code, 'a claim standing beside the paid one cannot take over its periods').to.equal('42501');
    for (const change of [{ seqs: '[1000000,1000001]' }, { total: formatMoney(new Money(claim.total).plus('0.01')) }, { line_count: paidRow.line_count + 1 }, { status: 'REJECTED', rejection_reason: 'x' }]) {
      const refused = await env.db('subsidy_claims').where({ id: claim.id }).update(change).catch((e) => e);
      expect(refused.code, `${JSON.stringify(change)}: ${refused}`).to.equal('42501');
    }
    expect((await env.db('subsidy_claims').where({ id: claim.id }).del().catch((e) => e)).code).to.equal('42501');
    const forged = await env.db('subsidy_accruals').where({ bank_id: bank.orgId }).update({ seq: 1 }).catch((e) => e);
    expect(forged).to.be.instanceOf(Error);
    await settle(h, skipping, [{ loanId: opened.loanId, token: bankToken }]);
  });

  it('a rejection carries its reason and frees the lines; the bank refiles; a claim after the first month of the next quarter is late', async () => {
    const bank = await newOrg(h, env.db, 'bank', ['bank_officer']);
    const bankToken = await login(h, bank.users.bank_officer!);
    const opened = await loanPaidThrough(h, skipping, orgs, bank.users.bank_officer!, { payPeriods: 3 });
    const quarter = opened.loan.schedule[0].quarter;
    await skipPastQuarter(skipping, quarter, 40);
    await fundFor(env.db, Number((await serverToday(skipping)).slice(0, 4)), '1000000.00', `claims-test-budget-${bank.orgId}`);

    const first = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.late).to.equal(true);
    const noReason = await h.call('POST', `/v1/subsidy-claims/${first.body.id}/check`, { token: await h.login('fin-officer'), body: { decision: 'reject' } });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.error.details[0].path).to.equal('reason');
    const rejected = await h.call('POST', `/v1/subsidy-claims/${first.body.id}/check`, {
      token: await h.login('fin-officer'),
      body: { decision: 'reject', reason: 'statement reference missing' },
    });
    expect(rejected.status).to.equal(200);
    expect(rejected.body).to.include({ status: 'REJECTED', rejectionReason: 'statement reference missing' });
    const stale = await h.call('POST', `/v1/subsidy-claims/${first.body.id}/check`, { token: await h.login('fin-officer'), body: { decision: 'approve' } });
    expect(stale.status).to.equal(409);

    const second = await h.call('POST', '/v1/subsidy-claims', { token: bankToken, body: { quarter } });
    expect(second.status, JSON.stringify(second.body)).to.equal(201);
    expect(second.body.id).to.not.equal(first.body.id);
    expect(second.body).to.include({ total: first.body.total, late: true });
    expect(second.body.lines).to.deep.equal(first.body.lines);
    // A decision on the rejected claim cannot reach the refiled one.
    const wrong = await h.call('POST', `/v1/subsidy-claims/${first.body.id}/check`, { token: await h.login('fin-officer'), body: { decision: 'approve' } });
    expect(wrong.status).to.equal(409);
    expect((await env.db('subsidy_claims').where({ id: second.body.id }).first()).status).to.equal('SUBMITTED');

    // Maker–checker holds even when the checker is later given the approver's role.
    const admin = await h.login('admin');
    const username = `checker-${second.body.id.slice(0, 8)}`;
    const made = await h.call('POST', '/v1/users', { token: admin, body: { username, password: 'password-1', role: 'finance_officer', orgId: (await env.db('users').where({ username: 'fin-officer' }).first()).org_id } });
    expect(made.status).to.equal(201);
    const checker = await h.login(username, 'password-1');
    expect((await h.call('POST', `/v1/subsidy-claims/${second.body.id}/check`, { token: checker, body: { decision: 'approve' } })).status).to.equal(200);
    expect((await h.call('PATCH', `/v1/users/${made.body.id}`, { token: admin, body: { role: 'finance_approver' } })).status).to.equal(200);
    const self = await h.call('POST', `/v1/subsidy-claims/${second.body.id}/approval`, { token: await h.login(username, 'password-1'), body: { decision: 'approve' } });
    expect(self.status).to.equal(403);
    const paid = await h.call('POST', `/v1/subsidy-claims/${second.body.id}/approval`, { token: await h.login('fin-approver'), body: { decision: 'approve' } });
    expect(paid.body.status, JSON.stringify(paid.body)).to.equal('PAID');
    const list = await h.call('GET', `/v1/subsidy-claims?quarter=${quarter}&bankId=${bank.orgId}`, { token: await h.login('auditor') });
    expect(list.body.items.map((c: any) => c.status)).to.deep.equal(['PAID', 'REJECTED']);
    // A list carries each claim's line count, not its lines (a claim may have 300,000; its own GET pages them).
    for (const c of list.body.items) {
      expect(c).to.not.have.property('lines');
      expect(c.lineCount).to.be.a('number').greaterThan(0);
    }
    await settle(h, skipping, [{ loanId: opened.loanId, token: bankToken }]);
  });

  it('concurrent approvals against a small budget: one is paid, the other waits in PENDING_BUDGET, never overspent, and is paid after a top-up', async () => {
    const bureau = await newOrg(h, env.db, 'finance_bureau', ['finance_officer', 'finance_approver']);
    const banks = [await newOrg(h, env.db, 'bank', ['bank_officer']), await newOrg(h, env.db, 'bank', ['bank_officer'])];
    // Both loans disbursed the same day, so their first periods fall in the same quarter.
    const loans: Array<Awaited<ReturnType<typeof loanPaidThrough>>> = [];
    for (const b of banks) loans.push(await loanPaidThrough(h, skipping, orgs, b.users.bank_officer!, { payPeriods: 0 }));
    for (const [i, b] of banks.entries()) {
      await pay(h, skipping, loans[i]!.loanId, loans[i]!.loan.schedule[0], { bankToken: await login(h, b.users.bank_officer!) });
    }
    const quarter = loans[0]!.loan.schedule[0].quarter;
    await skipPastQuarter(skipping, quarter);
    const claims = [];
    for (const b of banks) {
      const r = await h.call('POST', '/v1/subsidy-claims', { token: await login(h, b.users.bank_officer!), body: { quarter } });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      claims.push(r.body);
    }
    const officer = await login(h, bureau.users.finance_officer!);
    const approver = await login(h, bureau.users.finance_approver!);
    for (const c of claims) expect((await h.call('POST', `/v1/subsidy-claims/${c.id}/check`, { token: officer, body: { decision: 'approve' } })).status).to.equal(200);

    // Room for the larger claim but not for both.
    const totals = claims.map((c) => new Money(c.total));
    const budget = formatMoney(Money.max(totals[0]!, totals[1]!).plus(Money.min(totals[0]!, totals[1]!).dividedBy(2).toDecimalPlaces(2)));
    const year = Number((await serverToday(skipping)).slice(0, 4));
    const opened = await h.call('POST', '/v1/funds', { token: officer, body: { programme: 'interest_subsidy', year, name: 'small fund' } });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const fundId = opened.body.id as string;
    await allocateBudget(env.adminDb, { fundId, amount: budget, postedOn: `${year}-01-01`, idempotencyKey: `small-fund-${fundId}` });

    const results = await Promise.all(
      claims.map((c) => h.call('POST', `/v1/subsidy-claims/${c.id}/approval`, { token: approver, body: { decision: 'approve' } })),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const statuses = results.map((r) => r.body.status).sort();
    expect(statuses).to.deep.equal(['PAID', 'PENDING_BUDGET']);
    const paidOne = results.find((r) => r.body.status === 'PAID')!.body;
    const waiting = results.find((r) => r.body.status === 'PENDING_BUDGET')!.body;
    let status = await getFundStatus(env.db, fundId);
    expect(status).to.include({ budget, paid: paidOne.total, reserved: '0.00' });
    expect(new Money(status.available).isNegative()).to.equal(false);
    const viaApi = await h.call('GET', `/v1/funds/${fundId}`, { token: approver });
    expect(viaApi.body).to.include({ paid: paidOne.total, available: status.available });

    // Retrying without a top-up changes nothing; a top-up wakes the waiting claim, which is then paid.
    const retry = await h.call('POST', `/v1/subsidy-claims/${waiting.id}/payment`, { token: approver });
    expect(retry.status).to.equal(200);
    expect(retry.body.status).to.equal('PENDING_BUDGET');
    // Maker–checker: an officer proposes the top-up, the approver approves it (and only then is it allocated).
    const proposed = await h.call('POST', `/v1/funds/${fundId}/top-ups`, { token: officer, body: { amount: waiting.total, reason: 'supplementary budget' } });
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    expect(proposed.body).to.include({ status: 'pending', amount: waiting.total, proposedBy: bureau.users.finance_officer });
    expect((await getFundStatus(env.db, fundId)).budget, 'nothing allocated before approval').to.equal(budget);
    const topUp = await h.call('POST', `/v1/funds/${fundId}/top-ups/${proposed.body.id}/decision`, { token: approver, body: { decision: 'approve' } });
    expect(topUp.status, JSON.stringify(topUp.body)).to.equal(200);
    expect(topUp.body.proposal).to.include({ status: 'approved', decidedBy: bureau.users.finance_approver });
    expect(topUp.body.claimsPaid).to.include(waiting.id);
    // The proposal's Location opens it, decided, for the bureau's staff.
    const location = proposed.headers.get('location')!;
    const proposal = await h.call('GET', location, { token: officer });
    expect(proposal.status, location).to.equal(200);
    expect(proposal.body).to.include({ id: proposed.body.id, status: 'approved', amount: waiting.total });
    expect((await h.call('GET', `/v1/subsidy-claims/${waiting.id}`, { token: approver })).body.status).to.equal('PAID');
    status = await getFundStatus(env.db, fundId);
    expect(status.paid).to.equal(formatMoney(totals[0]!.plus(totals[1]!)));
    expect(status.available).to.equal(formatMoney(new Money(budget).plus(waiting.total).minus(status.paid)));
    await expectTrialBalance(env.db);
    await settle(h, skipping, await Promise.all(banks.map(async (b, i) => ({ loanId: loans[i]!.loanId, token: await login(h, b.users.bank_officer!) }))));
  });
});
