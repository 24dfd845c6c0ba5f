import { expect } from 'chai';
import { testEnv } from '../support/env';
import { seedDemoData } from '../../scripts/lib/demo-seed';
import { kpiReport } from '../../db/reports';
import { addMonthsClamped } from '../../domain/dates';
import { businessDateOf } from '../../domain/business-day';
import { verifyLedger, trialBalance } from '../../db/ledger';

/**
 * The demo's year of history (scripts/lib/demo-history.ts), made through the use-case steps: what
 * `npm start` shows in the indicator report, the follow-up indicators included.
 */
describe('demo data: a year of history fills the indicator report', function () {
  it('seeds five repaid loans with their follow-up visits; the report has figures for them', async function () {
    const env = await testEnv();
    const { admin, db } = await env.newDatabase('demo_history');
    const today = businessDateOf(new Date());
    await seedDemoData(admin, today, { history: true });
    const from = addMonthsClamped(today, -14);
    const r = await kpiReport(db, { from, to: today, groupBy: 'community', today });
    const t = r.total.values;
    const empty = Object.entries(t).filter(([, v]) => v === null).map(([k]) => k);
    expect(t).to.include({ applications: 6, rejected: 1, loans_disbursed: 5, trainees_certified: 9, certified_with_loan: 5, businesses_one_year: 5, businesses_visited_one_year: 5, businesses_operating_one_year: 3, jobs: 21 });
    // Only the recovery rate has nothing to divide by: no demo loan defaulted.
    expect(empty).to.deep.equal(['recovery_rate']);
    expect((await trialBalance(db)).balanced).to.equal(true);
    expect((await verifyLedger(db)).ok).to.equal(true);
  });
});
