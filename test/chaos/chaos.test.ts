import { expect } from 'chai';
import { runChaos, type ChaosReport } from './engine';

/**
 * 200 applications to disbursal and repayment while the worker is killed at random points and
 * PostgreSQL and the Temporal server are restarted (test/chaos/engine.ts; `npm run chaos` for 1,000).
 */
describe('chaos: kills and restarts while applications move', function () {
  this.timeout(25 * 60_000);
  let report: ChaosReport;
  before(async () => {
    report = await runChaos({ applications: 200, concurrency: 12, seed: 20261205, workerKills: 4, restartPostgres: true, restartTemporal: true });
  });

  it('did what it says: the worker killed, PostgreSQL and Temporal restarted, mid-run', () => {
    expect(report.chaos).to.include({ workerKills: 4, postgresRestarts: 1, temporalRestarts: 1 });
    expect(report.applications).to.equal(200);
  });

  it('every application ends in the state its decisions imply, in the database and in its workflow', () => {
    expect(report.wrongStatus).to.deep.equal([]);
    expect(report.workflowDisagrees).to.deep.equal([]);
  });

  it('no posting is doubled or missing, no decision audited twice', () => {
    for (const [kind, n] of Object.entries(report.postings)) expect(n.found, kind).to.equal(n.expected);
    expect(report.auditNotOnce).to.deep.equal([]);
  });

  it('the trial balance is zero and the ledger verifies, hash chain intact', () => {
    expect(report.trialBalance.balanced, JSON.stringify(report.trialBalance)).to.equal(true);
    expect(report.verify).to.include({ ok: true, chainIntact: true });
  });
});
