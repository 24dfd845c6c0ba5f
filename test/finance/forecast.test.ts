import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { newApplicant, type ApiHarness } from '../support/api';
import { adminOf } from '../support/env';
import { advance, demoOrgs, submit, today, type DemoOrgs } from '../applications/helpers';
import { financeSuite } from './helpers';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { addDays, compareDates, quarterBounds } from '../../domain/dates';
import { accrueSubsidy } from '../../db/ledger';
import { subsidyForecast } from '../../usecases/forecasts';
import { buildSchedule } from '../../domain/schedule';
import type { PolicyParams } from '../../domain/policy';

const root = path.resolve(__dirname, '../..');

/**
 * The forecast and the what-if through the API, over loans disbursed by the real workflows: the
 * scheduled subsidy is what the loans' own schedules say, a what-if that changes nothing is the
 * forecast, bad input is a 400 naming the field, and saved scenarios are records nobody changes.
 */
describe('finance: subsidy forecast, what-if and saved scenarios', function () {
  const suite = financeSuite('forecast', { api: 'with worker' });
  let db: Knex, h: ApiHarness, orgs: DemoOrgs, officer: string, auditor: string;

  before(async function () {
    this.timeout(120_000);
    ({ db, h } = suite);
    orgs = await demoOrgs({ ...suite.env, db });
    officer = await h.login('fin-officer');
    auditor = await h.login('auditor');
    await advance(h, await submit(h, await newApplicant(h), orgs), 'disbursal', '80000.00');
    await advance(h, await submit(h, await newApplicant(h), orgs, { termMonths: 24, repaymentMethod: 'equal_instalment' }), 'disbursal', '60000.00');
    await advance(h, await submit(h, await newApplicant(h), orgs), 'guarantee-review', '50000.00');
  });

  /** Every open loan's schedule, rebuilt by the same pure code from the loan's own row and policy. */
  async function schedules() {
    const loans = await db('loans as l').join('policies as p', 'p.id', 'l.policy_id').where('l.status', 'REPAYING')
      .select('l.repayment_method', db.raw('l.principal::text as principal'), db.raw('l.annual_rate::text as rate'), db.raw(`to_char(l.disbursed_on, 'YYYY-MM-DD') as disbursed_on`), 'l.term_months', 'p.params');
    return loans.flatMap((l: { repayment_method: 'monthly_interest_bullet'; principal: string; rate: string; disbursed_on: string; term_months: number; params: PolicyParams }) =>
      buildSchedule({ repaymentMethod: l.repayment_method, amount: l.principal, annualRate: l.rate, disbursedOn: l.disbursed_on, termMonths: l.term_months, policy: l.params }));
  }

  it('gives each quarter the scheduled subsidy the loans’ schedules earn, to the fen, with its band and the pipeline', async () => {
    const r = await h.call('GET', '/v1/forecasts/subsidy?quarters=8', { token: officer });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const lines = await schedules();
    expect(lines.length).to.be.greaterThan(20);
    const last = quarterBounds(r.body.quarters[7]).end;
    for (const q of r.body.byQuarter) {
      const due = lines.filter((l) => l.quarter === q.quarter && compareDates(l.dueOn, today()) > 0 && compareDates(l.dueOn, last) <= 0);
      expect(q.scheduled, q.quarter).to.equal(formatMoney(sumMoney(due.map((l) => l.subsidy))));
      expect(new Money(q.p10).lte(q.expected) && new Money(q.expected).lte(q.p90)).to.equal(true);
    }
    expect(sumMoney(r.body.byQuarter.map((q: any) => q.scheduled)).gt(0)).to.equal(true);
    expect(r.body.pipeline).to.include({ applications: 1, eligible: 1 });
    expect(new Money(r.body.byQuarter[1].pipelineScheduled).gt(0), JSON.stringify(r.body.byQuarter.slice(0, 2))).to.equal(true);
    // Claims are paid the quarter after: the budget years add up to the quarters.
    expect(formatMoney(sumMoney(r.body.byBudgetYear.map((y: any) => y.scheduled)))).to.equal(formatMoney(sumMoney(r.body.byQuarter.map((q: any) => q.scheduled))));
    const company = r.body.exposure.find((e: any) => e.name === 'Changchun Entrepreneurship Guarantee Co.') ?? r.body.exposure[0];
    expect(company.now.outstanding).to.not.equal('0.00');
    expect(r.body.backtest).to.equal(null);
  });

  it('answers a what-if that changes nothing with the forecast itself, and reads for the auditor too', async () => {
    const f = await h.call('GET', '/v1/forecasts/subsidy?quarters=6', { token: auditor });
    const w = await h.call('POST', '/v1/forecasts/what-if', { token: auditor, body: { params: {}, quarters: 6 } });
    expect(w.status, JSON.stringify(w.body)).to.equal(200);
    const { fund: _fund, backtest: _bt, ...plain } = f.body;
    expect(w.body.changed).to.deep.equal(plain);
    expect(w.body.today).to.deep.equal(plain);
    expect(w.body.pipeline).to.deep.equal({ applications: 1, becomeEligible: 0, becomeIneligible: 0 });
  });

  it('re-prices open loans only when asked, and counts the pipeline that the new band leaves out', async () => {
    const half = await h.call('POST', '/v1/forecasts/what-if', { token: officer, body: { params: { subsidyShare: '0.5', guaranteeMin: '90000.00', guaranteeMax: '100000.00' }, scope: 'reprice_open_loans' } });
    expect(half.status, JSON.stringify(half.body)).to.equal(200);
    const newOnly = await h.call('POST', '/v1/forecasts/what-if', { token: officer, body: { params: { subsidyShare: '0.5', guaranteeMin: '90000.00' } } });
    expect(newOnly.status, JSON.stringify(newOnly.body)).to.equal(200);
    const lines = await schedules();
    half.body.byQuarter.forEach((q: any, i: number) => {
      const open = half.body.changed.byQuarter[i];
      const today0 = half.body.today.byQuarter[i];
      const periods = lines.filter((l) => l.quarter === q.quarter).length;
      expect(new Money(today0.scheduled).minus(new Money(open.scheduled).times(2)).abs().lte(new Money('0.01').times(periods)), q.quarter).to.equal(true);
      expect(newOnly.body.changed.byQuarter[i].scheduled).to.equal(today0.scheduled);
    });
    // The application for 80,000 no longer fits a band from 90,000.
    expect(newOnly.body.pipeline).to.deep.equal({ applications: 1, becomeEligible: 0, becomeIneligible: 1 });
    expect(newOnly.body.changed.pipeline.eligible).to.equal(0);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/forecasts/what-if', { params: { subsidyShare: '2' } }, 'params.subsidyShare'],
      ['POST', '/v1/forecasts/what-if', { params: { guaranteeMin: '200000.00' } }, 'params.guaranteeMin'],
      ['POST', '/v1/forecasts/what-if', { params: { lossSharing: { guaranteeFund: '0.8', bank: '0.1', guaranteeCompany: '0' } } }, 'params.lossSharing'],
      ['POST', '/v1/forecasts/what-if', { params: { graceDays: 3 } }, 'params'],
      ['POST', '/v1/forecasts/what-if', { params: {}, scope: 'everything' }, 'scope'],
      ['GET', '/v1/forecasts/subsidy?quarters=0', undefined, 'quarters'],
      ['GET', '/v1/forecasts/subsidy?quarters=999', undefined, 'quarters'],
      ['GET', '/v1/forecasts/subsidy?asOf=2999-01-01', undefined, 'asOf'],
      ['GET', '/v1/forecasts/subsidy?fund=not-a-uuid', undefined, 'fund'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await h.call(method, path, { token: officer, body });
      expect(r.status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`).to.equal(400);
      expect(r.body.error.details.map((d: any) => d.path).some((p: string) => p.startsWith(field)), JSON.stringify(r.body.error.details)).to.equal(true);
    }
    const missing = await h.call('GET', '/v1/forecasts/subsidy?fund=00000000-0000-4000-8000-000000000000', { token: officer });
    expect(missing.status).to.equal(404);
  });

  it('backtests from a past day: the loans open then, against what they accrued since', async () => {
    const r = await h.call('GET', '/v1/forecasts/subsidy?asOf=2020-06-30&quarters=4', { token: auditor });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.pipeline.applications).to.equal(0);
    expect(r.body.backtest.rows.map((x: any) => x.quarter)).to.deep.equal(['2020Q3', '2020Q4', '2021Q1', '2021Q2']);
    for (const row of r.body.backtest.rows) expect(row).to.include({ expected: '0.00', actual: '0.00', withinBand: true });
  });

  it('downloads the forecast and the what-if as CSV and XLSX with the same figures', async () => {
    const json = await h.call('GET', '/v1/forecasts/subsidy?quarters=4', { token: officer });
    const res = await fetch(`${h.url}/v1/forecasts/subsidy?quarters=4&format=csv`, { headers: { authorization: `Bearer ${officer}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.match(/attachment; filename="forecast-.*\.csv"/);
    const rows = parse((await res.text()).replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
    const quarters = rows.filter((x) => x.level === 'quarter');
    expect(quarters.map((x) => [x.period, x.scheduled, x.expected, x.p10, x.p90])).to.deep.equal(json.body.byQuarter.map((q: any) => [q.quarter, q.scheduled, q.expected, q.p10, q.p90]));

    const x = await fetch(`${h.url}/v1/forecasts/what-if?format=xlsx`, { method: 'POST', headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' }, body: JSON.stringify({ params: { subsidyShare: '0.5' }, quarters: 4 }) });
    expect(x.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('By quarter')!;
    const w = await h.call('POST', '/v1/forecasts/what-if', { token: officer, body: { params: { subsidyShare: '0.5' }, quarters: 4 } });
    expect(sheet.getRow(2).getCell(1).value).to.equal(w.body.byQuarter[0].quarter);
    expect(sheet.getRow(2).getCell(2).value).to.equal(Number(w.body.byQuarter[0].scheduled.today));
    expect(sheet.getRow(2).getCell(2).numFmt).to.equal('#,##0.00');
    const denied = await fetch(`${h.url}/v1/forecasts/subsidy?format=csv`, { headers: { authorization: `Bearer ${await h.login('bank-a')}` } });
    expect(denied.status).to.equal(403);
  });

  it('saves scenarios by name for finance and the admin only; a saved one never changes', async () => {
    const body = { name: 'Cap 200k, share 0.8', params: { guaranteeMax: '200000.00', subsidyShare: '0.8' }, scope: 'new_loans_only' };
    const saved = await h.call('POST', '/v1/forecasts/scenarios', { token: officer, body });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    expect(saved.body).to.deep.include({ name: body.name, params: body.params, scope: 'new_loans_only' });
    expect(saved.body.savedBy.username).to.equal('fin-officer');
    expect((await h.call('POST', '/v1/forecasts/scenarios', { token: await h.login('admin'), body: { ...body, name: 'Admin’s' } })).status).to.equal(201);
    const again = await h.call('POST', '/v1/forecasts/scenarios', { token: officer, body });
    expect(again.status).to.equal(409);
    expect((await h.call('POST', '/v1/forecasts/scenarios', { token: auditor, body: { ...body, name: 'auditor' } })).status).to.equal(403);
    expect((await h.call('POST', '/v1/forecasts/scenarios', { token: officer, body: { ...body, name: ' ' } })).status).to.equal(400);
    const list = await h.call('GET', '/v1/forecasts/scenarios', { token: auditor });
    expect(list.body.items.map((s: any) => s.name)).to.include.members([body.name, 'Admin’s']);
    expect(list.body).to.include({ page: 1, pageSize: 50, total: list.body.items.length });
    const one = await h.call('GET', `/v1/forecasts/scenarios/${saved.body.id}`, { token: auditor });
    expect(one.body).to.deep.equal(saved.body);
    expect((await h.call('GET', '/v1/forecasts/scenarios', { token: await h.login('bank-a') })).status).to.equal(403);
    // Append-only, and dated by the database: even the application's role cannot rewrite one.
    let refused: unknown;
    await db('forecast_scenarios').where({ id: saved.body.id }).update({ name: 'rewritten' }).catch((e: unknown) => (refused = e));
    expect(String(refused)).to.match(/permission denied|append-only/);
    const [row] = await db('forecast_scenarios').insert({ name: 'backdated', params: '{}', scope: 'new_loans_only', saved_by: saved.body.savedBy.id, at: '2000-01-01T00:00:00Z' }).returning('at');
    expect(new Date(row.at).getUTCFullYear()).to.be.greaterThan(2000);
  });
  it('backtests against what the loans open then accrued since, with the MAPE', async () => {
    // Seven months on, the forecast made today is checked against what one of the loans accrued.
    const asOf = today();
    const later = () => new Date(`${addDays(asOf, 226)}T04:00:00Z`);
    const loan = await db('loans').where({ principal: '80000.00', status: 'REPAYING' }).first('id', 'bank_id');
    const periods = await db('loan_periods').where({ loan_id: loan.id }).orderBy('period').limit(3).select('period', db.raw(`to_char(due_on, 'YYYY-MM-DD') as due_on`), 'quarter', db.raw('subsidy::text as subsidy'));
    // What those periods would have earned seven months on. No repayment is recorded here, so the
    // owner writes the accruals past their guard (which wants each period paid on time).
    await adminOf(db).transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      for (const p of periods) {
        const entry = await accrueSubsidy(db, { bankOrgId: loan.bank_id, amount: p.subsidy, postedOn: p.due_on, idempotencyKey: `forecast-test-accrual:${loan.id}:${p.period}` });
        await trx('subsidy_accruals').insert({
          loan_id: loan.id, period: p.period, bank_id: loan.bank_id, quarter: p.quarter, due_on: p.due_on, amount: p.subsidy, accrued_on: p.due_on,
          ledger_entry_id: entry.id, idempotency_key: `forecast-test:${loan.id}:${p.period}`, seq: trx.raw(`nextval('public.subsidy_accruals_seq')`),
        });
      }
    });
    const f = await subsidyForecast({ db, now: later }, null, { quarters: 4, asOf });
    const rows = f.backtest!.rows;
    expect(rows.map((r) => r.quarter)).to.deep.equal(f.quarters.filter((q) => compareDates(quarterBounds(q).end, addDays(asOf, 226)) < 0));
    for (const r of rows) {
      const actual = sumMoney(periods.filter((p: { quarter: string }) => p.quarter === r.quarter).map((p: { subsidy: string }) => p.subsidy));
      expect(r.actual, r.quarter).to.equal(formatMoney(actual));
      const q = f.byQuarter.find((x) => x.quarter === r.quarter)!;
      expect(r).to.include({ expected: q.expected, p10: q.p10, p90: q.p90 });
      if (actual.gt(0)) expect(r.absolutePercentError).to.equal(actual.minus(q.expected).abs().dividedBy(actual).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4));
    }
    const withActual = rows.filter((r) => r.absolutePercentError !== null);
    expect(withActual.length).to.be.greaterThan(0);
    const mape = withActual.reduce((a, r) => a.plus(r.absolutePercentError!), new Money(0)).dividedBy(withActual.length).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4);
    expect(f.backtest!.mape).to.equal(mape);
  });
});

describe('loanflow forecast (the CLI)', function () {
  this.timeout(180_000);
  const suite = financeSuite('forecast_cli', { api: 'with worker' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-forecast-'));
  let url: string;

  /** The real CLI against this suite's database, as the application's role; `--as` gets the demo password. */
  function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      const env = { ...process.env, DATABASE_URL: url, LOANFLOW_PASSWORD: 'demo' };
      execFile(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/cli.ts'), ...args], { cwd: root, env }, (e, out, err) =>
        resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: String(out), err: String(err) }),
      );
    });
  }

  before(async function () {
    this.timeout(120_000);
    url = (suite.db.client.config.connection as { connectionString: string }).connectionString;
    const orgs = await demoOrgs({ ...suite.env, db: suite.db });
    await advance(suite.h, await submit(suite.h, await newApplicant(suite.h), orgs), 'disbursal', '80000.00');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prints the forecast per quarter with its band, cash timing and exposure, as the API computes it', async () => {
    const r = await cli(['forecast', '--quarters', '4']);
    expect(r.code, r.err).to.equal(0);
    const api = await suite.h.call('GET', '/v1/forecasts/subsidy?quarters=4', { token: await suite.h.login('fin-officer') });
    for (const q of api.body.byQuarter) expect(r.out).to.match(new RegExp(`${q.quarter}\\s+${q.scheduled.replace('.', '\\.')}\\s+${q.expected.replace('.', '\\.')}\\s+${q.p10.replace('.', '\\.')}\\s+${q.p90.replace('.', '\\.')}`));
    expect(r.out).to.match(/Cash timing/).and.match(/leverage cap/);
  });

  it('backtests --as-of a past day and prints the MAPE line or says no quarter has ended', async () => {
    const r = await cli(['forecast', '--as-of', '2020-06-30', '--quarters', '2']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/Backtest: forecast as of 2020-06-30/).and.match(/2020Q3\s+0\.00\s+0\.00\s+0\.00\s+0\.00\s+—\s+yes/).and.match(/MAPE — \(nothing accrued\)/);
  });

  it('runs a what-if to a CSV file, saves a scenario as a finance officer and lists it; bad parameters name the field', async () => {
    const out = path.join(tmp, 'w.csv');
    const w = await cli(['forecast', 'what-if', '--set', 'subsidyShare=0.5', '--set', 'lossSharing=0.8/0.2/0', '--reprice', '--quarters', '4', '--format', 'csv', '--out', out]);
    expect(w.code, w.err).to.equal(0);
    expect(w.out).to.match(/wrote /);
    expect(fs.readFileSync(out, 'utf8'), w.out).to.match(/^\uFEFFlevel,period,scheduled: today/);
    const saved = await cli(['forecast', 'save', 'Share one half', '--set', 'subsidyShare=0.5', '--as', 'fin-officer']);
    expect(saved.code, saved.err).to.equal(0);
    expect(saved.out).to.match(/saved Share one half .* by fin-officer/);
    const list = await cli(['forecast', 'scenarios']);
    expect(list.out).to.match(/Share one half {2}\(new_loans_only\) {"subsidyShare":"0.5"} {2}by fin-officer/);
    const bank = await cli(['forecast', 'save', 'Bank’s', '--set', 'subsidyShare=0.5', '--as', 'bank-a']);
    expect(bank.code).to.equal(1);
    expect(bank.err).to.match(/refused \(FORBIDDEN\)/);
    const hidden = await cli(['forecast', 'save', 'Share one half\u202E', '--set', 'subsidyShare=0.5', '--as', 'fin-officer']);
    expect(hidden.code).to.equal(1);
    expect(hidden.err).to.match(/name: must not contain U\+202E/);
    const bad = await cli(['forecast', 'what-if', '--set', 'subsidyShare=2']);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.match(/params\.subsidyShare: must be a fraction/);
  });
});
