import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { newApplicant, type ApiHarness } from '../support/api';
import { advance, demoOrgs, submit, today, type DemoOrgs } from '../applications/helpers';
import { financeSuite } from './helpers';
import { KPI_COLUMNS, NUMBER_FORMATS } from '../../db/reports';
import { allocateBudget, getFundStatus } from '../../db/ledger';
import { openFund } from '../support/funds';
import { Money } from '../../domain/money';

/**
 * The KPI report over applications that went through the real workflows (a worker on this test's
 * own database), then the same report downloaded as CSV and XLSX and read back cell by cell.
 */
describe('finance: KPI report and its exports', function () {
  const suite = financeSuite('reports', { api: 'with worker' });
  let db: Knex, h: ApiHarness, orgs: DemoOrgs, auditor: string;
  const from = '2020-01-01';
  // Taken after the data is made, never at file load: a run may cross midnight (UTC+8).
  let to: string;

  before(async function () {
    ({ db, h } = suite);
    orgs = await demoOrgs({ ...suite.env, db });
    auditor = await h.login('auditor');

    // Disbursed (community A), rejected by community B with a reason, and one left waiting.
    const a1 = await newApplicant(h);
    await advance(h, await submit(h, a1, orgs), 'disbursal', '80000.00');
    const a2 = await newApplicant(h);
    const id2 = await submit(h, a2, orgs, { communityId: orgs.communityB });
    const rej = await h.call('POST', `/v1/applications/${id2}/counter-guarantee`, {
      token: await h.login('community-b'),
      body: { decision: 'reject', type: 'credit_community', reason: 'unknown to the community' },
    });
    expect(rej.status, JSON.stringify(rej.body)).to.equal(200);
    await submit(h, await newApplicant(h), orgs);
    await newApplicant(h); // certified, never applied (as is the demo applicant)

    to = today();
    const bureau = (await db('organisations').where({ type: 'finance_bureau' }).first()).id;
    const fund = await openFund(db, { bureauId: bureau, year: Number(to.slice(0, 4)), name: 'Special fund' });
    await allocateBudget(adminOf(db), { fundId: fund.id, amount: '1234567.89', postedOn: to, idempotencyKey: `reports-budget:${fund.id}` });
  });
  const get = (q: string, token = auditor) => h.call('GET', `/v1/reports/kpi?${q}`, { token });

  it('computes the indicators per community, and the totals with the special fund', async function () {
    const r = await get(`from=${from}&to=${to}&groupBy=community`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.rows.map((x: any) => x.name)).to.deep.equal(['Kuancheng Credit Community', 'Nanguan Credit Community']);
    const [b, a] = r.body.rows;
    expect(a.values).to.include({
      applications: 2,
      applications_repaying: 1,
      applications_awaiting_counter_guarantee: 1,
      decided: 1,
      approved: 1,
      rejected: 0,
      approval_rate: '1.0000',
      amount_guaranteed: '80000.00',
      loans_disbursed: 1,
      amount_disbursed: '80000.00',
      loans_community_guaranteed: 1,
      community_guarantee_share: '1.0000',
      community_guarantee_share_target: '0.5000',
      community_guarantee_share_met: true,
      defaults: 0,
      subsidy_claimed: '0.00',
      trainees_certified: null, // certificates belong to institutions, not communities
      // No business has reached its first year or been visited: nothing to judge.
      businesses_one_year: 0,
      businesses_operating_after_one_year: null,
      businesses_operating_after_one_year_target: '0.8000',
      businesses_operating_after_one_year_met: null,
      businesses_visited: 0,
      jobs_per_business: null,
      jobs_per_business_target: '5.00',
      jobs_per_business_met: null,
    });
    expect(Number(a.values.days_guarantee_approval)).to.be.at.least(0);
    expect(b.values).to.include({ applications: 1, applications_rejected: 1, decided: 1, rejected: 1, rejection_rate: '1.0000', rejected_counter_guarantee: 1, rejected_guarantee_review: 0, amount_disbursed: '0.00' });
    // Why is the officer's word about the applicant: on the application, not in a report every officer reads.
    expect(JSON.stringify(r.body)).to.not.contain('unknown to the community');
    // Seven trainees certified: the demo class's three and this file's four.
    expect(r.body.total.values).to.include({ applications: 3, approved: 1, rejected: 1, approval_rate: '0.5000', trainees_certified: 7, certified_with_loan: 1, certified_loan_share: '0.1429', certified_loan_share_met: false });
    const fund = await getFundStatus(db, (await db('funds').where({ programme: 'interest_subsidy' }).first('id')).id);
    expect(r.body.total.values).to.include({ fund_budget: fund.budget, fund_paid: fund.paid, fund_available: fund.available });
    expect(new Money(fund.budget).greaterThanOrEqualTo('1234567.89')).to.equal(true);
    expect(r.body.notComputable).to.deep.equal([]);
  });

  it('groups by region, bank and training institution', async function () {
    const region = await get(`from=${from}&to=${to}&groupBy=region`);
    expect(region.body.rows.map((x: any) => [x.name, x.values.applications, x.values.trainees_certified])).to.deep.equal([['Changchun', 3, 7]]);
    const bank = await get(`from=${from}&to=${to}&groupBy=bank`);
    expect(bank.body.rows.map((x: any) => [x.name, x.values.loans_disbursed])).to.deep.equal([
      ['(none)', 0],
      ['Changchun Rural Commercial Bank', 1],
    ]);
    const inst = await get(`from=${from}&to=${to}&groupBy=training_institution`);
    expect(inst.body.rows.map((x: any) => [x.name, x.values.trainees_certified, x.values.certified_loan_share])).to.deep.equal([['Changchun Entrepreneurship Training Centre', 7, '0.1429']]);
  });

  it('refuses bad queries with the field and rule, and applicants', async function () {
    const bad = await get(`from=${to}&to=2020-01-01&groupBy=community`);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details).to.deep.equal([{ path: 'to', message: 'must be on or after from' }]);
    const badGroup = await get(`from=${from}&to=${to}&groupBy=street&format=csv`);
    expect(badGroup.status).to.equal(400);
    expect(badGroup.body.error.details[0].path).to.equal('groupBy');
    const applicant = await newApplicant(h, { withCertificate: false });
    expect((await get(`from=${from}&to=${to}&groupBy=bank`, applicant.token)).status).to.equal(403);
    expect((await get(`from=${from}&to=${to}&groupBy=bank&format=xlsx`, applicant.token)).status).to.equal(403);
  });

  async function download(format: 'csv' | 'xlsx') {
    const res = await fetch(`${h.url}/v1/reports/kpi?from=${from}&to=${to}&groupBy=community&format=${format}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.equal(`attachment; filename="kpi-community-${from}-${to}.${format}"`);
    return Buffer.from(await res.arrayBuffer());
  }

  it('exports CSV that reads back to the same values, cell by cell', async function () {
    const json = (await get(`from=${from}&to=${to}&groupBy=community`)).body;
    const csv = await download('csv');
    expect([...csv.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(csv, { bom: true });
    expect(rows[0]).to.deep.equal(['Group', 'Group id', ...KPI_COLUMNS.map((c) => c.label)]);
    const expected = [...json.rows, json.total];
    expect(rows.length).to.equal(1 + expected.length);
    expected.forEach((row: any, i: number) => {
      const got = rows[i + 1]!;
      expect(got[0]).to.equal(row.name);
      expect(got[1]).to.equal(row.key);
      const shown = (kind: string, v: unknown) => (v === null ? '' : kind === 'flag' ? (v ? 'met' : 'not met') : String(v));
      KPI_COLUMNS.forEach((c, k) => expect(got[k + 2], `${row.name} / ${c.key}`).to.equal(shown(c.kind, row.values[c.key])));
    });
  });

  it('exports XLSX with number formats, whose cells equal the report', async function () {
    const json = (await get(`from=${from}&to=${to}&groupBy=community`)).body;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download('xlsx')) as never);
    const ws = wb.getWorksheet('KPI')!;
    expect(ws.getRow(1).getCell(3).value).to.equal(KPI_COLUMNS[0]!.label);
    const expected = [...json.rows, json.total];
    expect(ws.rowCount).to.equal(1 + expected.length);
    expected.forEach((row: any, i: number) => {
      const r = ws.getRow(i + 2);
      expect(r.getCell(1).value).to.equal(row.name);
      KPI_COLUMNS.forEach((c, k) => {
        const got = r.getCell(k + 3);
        const want = row.values[c.key];
        const where = `${row.name} / ${c.key}`;
        if (want === null) return expect(got.value ?? null, where).to.equal(null);
        if (c.kind === 'text') return expect(got.value, where).to.equal(want);
        if (c.kind === 'flag') return expect(got.value, where).to.equal(want ? 'met' : 'not met');
        expect(got.numFmt, where).to.equal(NUMBER_FORMATS[c.kind]);
        // The number cell shows exactly the decimal the report computed.
        expect(typeof got.value, where).to.equal('number');
        expect(c.kind === 'count' ? String(got.value) : (got.value as number).toFixed(c.kind === 'rate' ? 4 : 2), where).to.equal(String(want));
      });
    });
    expect(ws.getRow(1 + expected.length).font?.bold).to.equal(true);
    const notes = wb.getWorksheet('Notes')!;
    expect(notes.getRow(5).values).to.deep.equal([undefined, 'Target', 'Met when the indicator reaches']);
    expect(notes.getRow(8).values).to.deep.equal([undefined, 'Share of businesses operating one year after disbursal (target ≥ 80%)', '≥ 80%']);
  });
});
