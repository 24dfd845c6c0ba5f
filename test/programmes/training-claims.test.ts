import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { closeSuite, openPrivateSuite, newApplicant, newIdNumber, type ApiHarness, type Applicant } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { openLoan, serverToday, skipTo, type OpenedLoan } from '../loans/helpers';
import { login, newOrg, type NewOrg } from '../subsidy/helpers';
import { accountBalance, accountCode } from '../../db/ledger';
import { Money, formatMoney } from '../../domain/money';
import { adminOf } from '../support/env';

/** n months after a date, the day clamped to the month's end: computed here with Date, not the domain's code. */
function monthsLater(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + n, Math.min(d, lastDay))).toISOString().slice(0, 10);
}
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The training subsidy tied to results (docs/programmes.md), on the time-skipping server: the
 * institution files a class's base part (600.00 per trainee who passed, the default policy), the
 * labour bureau's officer checks it against the certificate registry (adjusting away a trainee who does not
 * match), a finance approver pays it from the training fund — never from another programme's —
 * and after six months the outcome part pays 400.00 per trainee who started a business.
 */
describe('training subsidy claims (time-skipping server)', function () {
  let db: Knex;
  let h: ApiHarness;
  let skipping: TestWorkflowEnvironment;
  let orgs: DemoOrgs;
  let syncClock: () => Promise<void>;
  let bureau: NewOrg;
  let trainer: string, checker: string, finOfficer: string, officer: string, approver: string;
  let started: OpenedLoan, idle: Applicant, stranger: Applicant;
  let issuedOn: string;
  let baseId: string;
  /** What the demo's own class was paid before this file's claims (its base part). */
  let paidBefore = '0.00';
  const expense = async () => (await accountBalance(db, accountCode.program('training_subsidy_expense'))).balance;
  const plus = (a: string, b: string) => formatMoney(new Money(a).plus(b));

  const skip = async (date: string) => {
    await skipTo(skipping, date);
    await syncClock();
  };
  const fundOf = async (programme: string, year: number) =>
    (await h.call('GET', `/v1/funds?year=${year}&programme=${programme}`, { token: officer })).body[0] as { id: string; budget: string; paid: string; available: string; reserved: string };
  /** Opens the bureau's fund of a programme for a year if needed, and tops it up through the maker–checker. */
  const topUp = async (programme: string, year: number, amount: string) => {
    let fund = await fundOf(programme, year);
    if (!fund) {
      const opened = await h.call('POST', '/v1/funds', { token: officer, body: { programme, year, name: `${programme} ${year}` } });
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
      fund = opened.body;
    }
    const proposed = await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: officer, body: { amount, reason: `${programme} budget` } });
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    const decided = await h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposed.body.id}/decision`, { token: approver, body: { decision: 'approve' } });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    return fund.id;
  };

  before(async function () {
    this.timeout(300_000);
    ({ db, skipping, h, orgs, syncClock } = await openPrivateSuite('programmes_training', { timeSkipping: true }));
    bureau = await newOrg(h, db, 'finance_bureau', ['finance_officer', 'finance_approver']);
    officer = await login(h, bureau.users.finance_officer!);
    approver = await login(h, bureau.users.finance_approver!);
    trainer = await h.login('trainer');
    checker = await h.login('labour');
    finOfficer = await h.login('fin-officer');
    // The server may be years ahead of the wall clock: certificates are issued on its today.
    issuedOn = await serverToday(skipping);
    const birth = `${Number(issuedOn.slice(0, 4)) - 30}0101`;
    started = await openLoan(h, skipping, orgs, { termMonths: 12, issuedOn, birth });
    idle = await newApplicant(h, { issuedOn, birth });
    stranger = await newApplicant(h, { issuedOn, birth });
    paidBefore = await expense();
  });
  after(() => closeSuite({ h, db }));

  const trainee = (a: Applicant, idNumber = a.idNumber) => ({ certificateNo: a.certificateNo, idNumber, name: a.name });

  it('files the base part; the check adjusts away a trainee who does not match; the same trainee twice is refused by the database', async () => {
    const classRef = `SYB-${randomUUID().slice(0, 8)}`;
    // The stranger's certificate is listed with someone else's ID number: it names another person.
    const filed = await h.call('POST', '/v1/training-claims', {
      token: trainer,
      body: { part: 'base', course: 'SYB', classRef, enrolled: 4, trainees: [trainee(started.applicant), trainee(idle), trainee(stranger, newIdNumber())] },
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    expect(filed.body).to.include({ status: 'FILED', part: 'base', amount: '1800.00', enrolled: 4, checkerRole: 'labour_officer' });
    const mismatched = filed.body.trainees.filter((t: { mismatch: string | null }) => t.mismatch);
    expect(mismatched.map((t: { certificateNo: string }) => t.certificateNo)).to.deep.equal([stranger.certificateNo]);
    baseId = filed.body.id;

    // Bad input names its field and files nothing.
    const bad = await h.call('POST', '/v1/training-claims', { token: trainer, body: { part: 'base', course: 'XYZ', classRef: '', enrolled: 0, trainees: [] } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).to.deep.equal(['classRef', 'course', 'enrolled', 'trainees']);

    // The labour officer checks it: the finance officer no longer may, and sees why.
    const byFinance = await h.call('POST', `/v1/training-claims/${baseId}/check`, { token: finOfficer, body: { decision: 'adjust', reason: 'one certificate names another person' } });
    expect(byFinance.status, JSON.stringify(byFinance.body)).to.equal(403);
    expect(byFinance.body.error.message).to.contain('labour_officer');
    // Accepting as filed is refused while a trainee does not match.
    const accept = await h.call('POST', `/v1/training-claims/${baseId}/check`, { token: checker, body: { decision: 'accept' } });
    expect(accept.status).to.equal(400);
    expect(accept.body.error.details[0].path).to.equal('decision');
    const adjusted = await h.call('POST', `/v1/training-claims/${baseId}/check`, { token: checker, body: { decision: 'adjust', reason: 'one certificate names another person' } });
    expect(adjusted.status, JSON.stringify(adjusted.body)).to.equal(200);
    expect(adjusted.body).to.include({ status: 'CHECKED', amount: '1200.00', checkedBy: 'labour' });
    expect(adjusted.body.trainees.filter((t: { dropped: boolean }) => t.dropped).map((t: { certificateNo: string }) => t.certificateNo)).to.deep.equal([stranger.certificateNo]);

    // Another class listing a trainee already claimed for SYB: the database's unique key refuses it.
    const twice = await h.call('POST', '/v1/training-claims', {
      token: trainer,
      body: { part: 'base', course: 'SYB', classRef: `${classRef}-b`, enrolled: 1, trainees: [trainee(idle)] },
    });
    expect(twice.status, JSON.stringify(twice.body)).to.equal(409);
    expect(twice.body.error.details[0].path).to.equal('trainees');
    // Straight into the checked claim, the line guard refuses it; with the triggers off (as the
    // owner), the unique key still does.
    const line = { claim_id: baseId, certificate_no: 'SYB-DIRECT-1', holder_id_number: idle.idNumber, holder_name: idle.name, course: 'SYB', part: 'base', amount: '600.00' };
    expect(await db('training_claim_lines').insert(line).catch((e: unknown) => e)).to.include({ code: '42501' });
    const direct = await adminOf(db)
      .transaction(async (trx) => {
        await trx.raw('set local session_replication_role = replica');
        await trx('training_claim_lines').insert(line);
      })
      .catch((e: unknown) => e);
    expect(direct).to.include({ code: '23505', constraint: 'training_claim_lines_once' });
    // Another institution's user sees nothing of it; a bank is refused.
    expect((await h.call('GET', `/v1/training-claims/${baseId}`, { token: await h.login('bank-a') })).status).to.equal(403);
  });

  it('the database holds who decides: checked once, by the role the claim names; decided by a finance approver', async () => {
    const userId = async (username: string) => (await db('users').where({ username }).first('id')).id as string;
    const claim = await db('training_claims').where({ id: baseId }).first();
    const refused = (change: Record<string, unknown>) =>
      db('training_claims').where({ id: baseId }).update(change).then(() => null, (e: { code?: string; message: string }) => e);
    // The application's own role tries to rewrite the check, or to decide as someone other than a finance approver.
    expect(await refused({ checked_by: await userId('fin-officer') }), 'a second check, by a finance officer').to.include({ code: '23514' });
    expect(await refused({ checker_role: 'finance_officer' }), 'the checker role does not change').to.include({ code: '23514' });
    expect(await refused({ decided_by: await userId('labour') }), 'a labour officer does not decide').to.include({ code: '23514' });
    expect(await refused({ decided_by: await userId('fin-officer') }), 'nor a finance officer').to.include({ code: '23514' });
    const after = await db('training_claims').where({ id: baseId }).first();
    expect([after.checked_by, after.checker_role, after.decided_by]).to.deep.equal([claim.checked_by, 'labour_officer', null]);
  });

  it('pays from the training fund only: short there, it waits whatever the other funds hold; paid after a top-up, to the fen', async () => {
    const year = Number((await serverToday(skipping)).slice(0, 4));
    const interestFund = await topUp('interest_subsidy', year, '1000000.00');
    const trainingFund = await topUp('training_subsidy', year, '1000.00');

    expect((await h.call('POST', `/v1/training-claims/${baseId}/approval`, { token: checker, body: { decision: 'approve' } })).status, 'the labour officer never approves').to.equal(403);
    expect((await h.call('POST', `/v1/training-claims/${baseId}/approval`, { token: finOfficer, body: { decision: 'approve' } })).status, 'a finance officer never approves').to.equal(403);
    const short = await h.call('POST', `/v1/training-claims/${baseId}/approval`, { token: approver, body: { decision: 'approve' } });
    expect(short.status, JSON.stringify(short.body)).to.equal(200);
    expect(short.body.status).to.equal('PENDING_BUDGET');
    expect(await fundOf('training_subsidy', year)).to.include({ budget: '1000.00', available: '1000.00', reserved: '0.00', paid: '0.00' });
    expect(await fundOf('interest_subsidy', year)).to.include({ budget: '1000000.00', available: '1000000.00', paid: '0.00' });

    await topUp('training_subsidy', year, '200.00');
    const paid = await h.call('POST', `/v1/training-claims/${baseId}/approval`, { token: approver, body: { decision: 'approve', reason: 'budget topped up' } });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(200);
    expect(paid.body).to.include({ status: 'PAID', amount: '1200.00', fundId: trainingFund, decidedBy: bureau.users.finance_approver });
    expect(await fundOf('training_subsidy', year)).to.include({ budget: '1200.00', available: '0.00', reserved: '0.00', paid: '1200.00' });
    expect((await fundOf('interest_subsidy', year)).id).to.equal(interestFund);
    expect(await fundOf('interest_subsidy', year)).to.include({ available: '1000000.00', paid: '0.00' });
    expect(await expense()).to.equal(plus(paidBefore, '1200.00'));
    // A decided claim takes no more decisions.
    expect((await h.call('POST', `/v1/training-claims/${baseId}/approval`, { token: approver, body: { decision: 'approve' } })).status).to.equal(409);
  });

  it('the outcome part: refused until six months have passed for every trainee, then pays the trainee who started a business', async () => {
    // Six months after the certificate the window closes; the outcome part is claimable the day after.
    const windowEnd = monthsLater(issuedOn, 6);
    const claimableFrom = dayAfter(windowEnd);
    const outcome = () => h.call('POST', '/v1/training-claims', { token: trainer, body: { part: 'outcome', baseClaimId: baseId } });

    await skip(dayBefore(claimableFrom));
    const early = await outcome();
    expect(early.status, JSON.stringify(early.body)).to.equal(400);
    expect(early.body.error.details[0]).to.deep.include({ path: 'baseClaimId' });
    expect(early.body.error.message).to.contain(claimableFrom);

    await skip(claimableFrom);
    const filed = await outcome();
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    expect(filed.body).to.include({ part: 'outcome', status: 'FILED', amount: '400.00' });
    expect(filed.body.trainees.map((t: { certificateNo: string; startedOn: string; loanId: string }) => [t.certificateNo, t.startedOn, t.loanId])).to.deep.equal([
      [started.applicant.certificateNo, started.disbursedOn, started.loanId],
    ]);
    expect((await outcome()).status, 'one outcome claim per class').to.equal(409);

    expect((await h.call('POST', `/v1/training-claims/${filed.body.id}/check`, { token: checker, body: { decision: 'accept' } })).status).to.equal(200);
    const year = Number(claimableFrom.slice(0, 4));
    await topUp('training_subsidy', year, '400.00');
    const paid = await h.call('POST', `/v1/training-claims/${filed.body.id}/approval`, { token: approver, body: { decision: 'approve' } });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(200);
    expect(paid.body).to.include({ status: 'PAID', amount: '400.00' });
    // 1200.00 for the base part, 400.00 for the outcome: 1600.00 in all.
    expect(await expense()).to.equal(plus(paidBefore, '1600.00'));
    const audit = await db('audit_log').where({ entity_id: filed.body.id }).orderBy('id').pluck('action');
    expect(audit).to.deep.equal(['training_claim.file', 'training_claim.check.accept', 'training_claim.approval.approve']);
  });
});
