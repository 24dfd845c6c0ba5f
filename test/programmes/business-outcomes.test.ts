import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { seedDemoData } from '../../scripts/lib/demo-seed';
import { startedBusiness } from '../../usecases/business-outcomes';
import { businessDateOf } from '../../domain/business-day';

/** n months after a date, the day clamped to the month's end, then `plusDays`: with Date, not the domain's code. */
function monthsLater(date: string, n: number, plusDays = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + n, Math.min(d, lastDay)) + plusDays * 86_400_000).toISOString().slice(0, 10);
}
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * "Started a business" through a follow-up visit (usecases/business-outcomes.ts, docs/programmes.md):
 * a trainee with no loan disbursed in the window counts as started when a visit in the window found
 * the business registered. The demo's history (scripts/lib/demo-history.ts) visits each business at
 * 3, 6 and 12 months, two days after the due date; which visits found a registration is written out
 * here, and the expected day is worked out from the disbursal day alone.
 */
describe('started a business: the follow-up visit path', function () {
  this.timeout(180_000);
  let db: Knex;
  let loans: Array<{ name: string; idNumber: string; disbursedOn: string; loanId: string }>;
  /** Which of the 3-, 6- and 12-month visits recorded a registration number, per borrower. */
  const REGISTERED: Record<string, [boolean, boolean, boolean]> = {
    'Li Na': [false, true, true],
    'Wang Qiang': [false, false, true],
    'Zhao Min': [false, false, false],
    'Chen Jie': [true, true, true],
    'Sun Hui': [false, false, true],
  };
  /** The first registered visit in [from, to], worked out independently; null when none. */
  const expectedVisit = (name: string, disbursedOn: string, from: string, to: string): string | null => {
    const days = [3, 6, 12].map((m, k) => (REGISTERED[name]![k] ? monthsLater(disbursedOn, m, 2) : null)).filter((d): d is string => d !== null && d >= from && d <= to);
    return days[0] ?? null;
  };

  before(async () => {
    const env = await testEnv();
    const made = await env.newDatabase('business_outcomes');
    db = made.db;
    await seedDemoData(made.admin, businessDateOf(new Date()), { history: true });
    loans = (await db('loans as l').join('applications as a', 'a.id', 'l.application_id').whereNotNull('l.disbursed_on').select('a.name', 'l.borrower_id_number', 'l.disbursed_on', 'l.id'))
      .filter((r) => r.name in REGISTERED)
      .map((r) => ({ name: r.name, idNumber: r.borrower_id_number, disbursedOn: r.disbursed_on, loanId: r.id }));
    expect(loans.map((l) => l.name).sort()).to.deep.equal(Object.keys(REGISTERED).sort());
  });

  it('with the loan outside the window, the first visit in it that found a registration counts, on its day', async () => {
    for (const l of loans) {
      // From the day after disbursal to a year and a month later: every visit, but not the loan.
      const from = shift(l.disbursedOn, 1);
      const to = monthsLater(l.disbursedOn, 13);
      const want = expectedVisit(l.name, l.disbursedOn, from, to);
      const got = await startedBusiness(db, l.idNumber, from, to);
      expect(got, l.name).to.deep.equal(want === null ? null : { startedOn: want, loanId: l.loanId });
    }
  });

  it('the window’s edges: a visit on its last day counts, the day before it does not; an unregistered visit never does', async () => {
    for (const l of loans) {
      const first = expectedVisit(l.name, l.disbursedOn, shift(l.disbursedOn, 1), monthsLater(l.disbursedOn, 13));
      if (first === null) continue;
      const from = shift(l.disbursedOn, 1);
      expect(await startedBusiness(db, l.idNumber, from, first), `${l.name}: last day`).to.deep.equal({ startedOn: first, loanId: l.loanId });
      // Ending the day before: only an earlier registered visit could count, and there is none.
      expect(await startedBusiness(db, l.idNumber, from, shift(first, -1)), `${l.name}: day before`).to.equal(null);
    }
  });

  it('with the loan in the window, its disbursal day comes first', async () => {
    for (const l of loans) {
      const got = await startedBusiness(db, l.idNumber, l.disbursedOn, monthsLater(l.disbursedOn, 13));
      expect(got, l.name).to.deep.equal({ startedOn: l.disbursedOn, loanId: l.loanId });
    }
  });
});
