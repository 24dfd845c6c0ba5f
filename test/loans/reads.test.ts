import { expect } from 'chai';
import { openApiSuite, startApi, type ApiSuite } from '../support/api';
import { openLoan } from './helpers';
import { addDays, daysBetween } from '../../domain/dates';
import { Money, formatMoney } from '../../domain/money';
import { businessDayStartMs } from '../../domain/loan-calendar';

/** What a bank reads before it acts: how far behind each loan is, and what repays one early. */
describe('loan reads: overdue buckets and the early repayment quote', () => {
  let s: ApiSuite;
  before(async () => {
    s = await openApiSuite();
  });
  after(async () => s?.h.close());

  it('puts each loan in its overdue bucket by the days since its earliest unpaid due date, and filters by bucket', async () => {
    const { h, env, orgs } = s;
    const { loanId, loan } = await openLoan(h, env.temporal, orgs, { termMonths: 12 });
    const bank = await h.login('bank-a');
    const now = await h.call('GET', '/v1/loans?pageSize=200', { token: bank });
    expect(now.body.items.find((l: any) => l.id === loanId)).to.include({ overdueDays: 0, overdueBucket: 'current' });

    const firstDue = loan.schedule[0].dueOn as string;
    const seen = async (days: number) => {
      // The API as it will answer `days` days after the first due date, nothing paid.
      const later = await startApi(env, { runWorker: false, now: () => new Date(businessDayStartMs(addDays(firstDue, days)) + 10 * 3600e3) });
      try {
        const token = await later.login('bank-a');
        const ids = async (bucket: string) => (await later.call('GET', `/v1/loans?bucket=${bucket}&pageSize=200`, { token })).body.items.map((l: any) => l.id);
        const mine = (await later.call('GET', '/v1/loans?pageSize=200', { token })).body.items.find((l: any) => l.id === loanId);
        const buckets = [];
        for (const b of ['current', 'd1_30', 'd31_90', 'd90']) if ((await ids(b)).includes(loanId)) buckets.push(b);
        return { overdueDays: mine.overdueDays, overdueBucket: mine.overdueBucket, buckets };
      } finally {
        await later.close();
      }
    };
    expect(await seen(0)).to.deep.equal({ overdueDays: 0, overdueBucket: 'current', buckets: ['current'] });
    expect(await seen(1)).to.deep.equal({ overdueDays: 1, overdueBucket: 'd1_30', buckets: ['d1_30'] });
    expect(await seen(30)).to.deep.equal({ overdueDays: 30, overdueBucket: 'd1_30', buckets: ['d1_30'] });
    expect(await seen(31)).to.deep.equal({ overdueDays: 31, overdueBucket: 'd31_90', buckets: ['d31_90'] });
    expect(await seen(91)).to.deep.equal({ overdueDays: 91, overdueBucket: 'd90', buckets: ['d90'] });
    const bad = await h.call('GET', '/v1/loans?bucket=late', { token: bank });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('bucket');
  });

  it('quotes the early repayment: the principal outstanding and the broken period’s interest by actual days / 360', async () => {
    const { h, env, orgs } = s;
    const { loanId, loan, disbursedOn, applicant } = await openLoan(h, env.temporal, orgs, { termMonths: 12, annualRate: '0.0435' });
    const bank = await h.login('bank-a');
    const paidOn = addDays(disbursedOn, 10);
    const q = await h.call('GET', `/v1/loans/${loanId}/payoff?paidOn=${paidOn}`, { token: bank });
    expect(q.status, JSON.stringify(q.body)).to.equal(200);
    // 80,000.00 × 4.35% × 10 / 360 = 96.666… → 96.67.
    expect(daysBetween(disbursedOn, paidOn)).to.equal(10);
    expect(q.body).to.include({ period: 1, paidOn, principal: '80000.00', interest: '96.67', amount: '80096.67' });
    expect(new Money(q.body.subsidy).lessThanOrEqualTo(q.body.interest)).to.equal(true);
    // The borrower may read it too; another bank may not.
    expect((await h.call('GET', `/v1/loans/${loanId}/payoff?paidOn=${paidOn}`, { token: applicant.token })).body.amount).to.equal('80096.67');
    expect((await h.call('GET', `/v1/loans/${loanId}/payoff?paidOn=${paidOn}`, { token: await h.login('bank-b') })).status).to.equal(403);

    // Not on the disbursal day itself (today), nor on or after the last due date.
    for (const on of ['', `?paidOn=${disbursedOn}`, `?paidOn=${loan.schedule[11].dueOn}`]) {
      const r = await h.call('GET', `/v1/loans/${loanId}/payoff${on}`, { token: bank });
      expect(r.status, on).to.equal(409);
      expect(r.body.error.details[0].path).to.equal('paidOn');
    }
    const bad = await h.call('GET', `/v1/loans/${loanId}/payoff?paidOn=2027-02-30`, { token: bank });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('paidOn');
    expect(formatMoney(new Money(q.body.principal).plus(q.body.interest))).to.equal(q.body.amount);
  });
});
