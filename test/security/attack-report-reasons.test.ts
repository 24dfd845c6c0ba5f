import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { newApplicant, useApiSuite } from '../support/api';
import { submit, today } from '../applications/helpers';

/**
 * The indicator report goes to every officer, whatever their organisation. The reason an officer
 * typed when rejecting an application is about that applicant: it stays on the application, where
 * only those who may see the application read it. The report counts rejections per step instead.
 */
describe('attack: rejection reasons through the indicator report', function () {
  const s = useApiSuite();
  const secret = `owes his brother-in-law ${Date.now().toString(36)}`;
  let id: string;

  const query = `groupBy=community&from=${today()}&to=${today()}`;
  const kpi = (token: string) => s.h.call('GET', `/v1/reports/kpi?${query}`, { token });
  const kpiFile = async (token: string, format: 'csv' | 'xlsx') => {
    const res = await fetch(`${s.h.url}/v1/reports/kpi?${query}&format=${format}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const rejectedAtCounterGuarantee = async (token: string) => {
    const row = (await kpi(token)).body.rows.find((x: { key: string }) => x.key === s.orgs.communityB);
    return Number(row?.values.rejected_counter_guarantee ?? 0);
  };

  it('shows an officer of another organisation how many were rejected at each step, never why', async () => {
    const bank = await s.h.login('bank-b');
    const before = await rejectedAtCounterGuarantee(bank);
    id = await submit(s.h, await newApplicant(s.h), s.orgs, { communityId: s.orgs.communityB });
    const rej = await s.h.call('POST', `/v1/applications/${id}/counter-guarantee`, {
      token: await s.h.login('community-b'),
      body: { decision: 'reject', type: 'credit_community', reason: secret },
    });
    expect(rej.status, JSON.stringify(rej.body)).to.equal(200);

    for (const who of ['bank-b', 'community-a', 'trainer', 'auditor']) {
      const token = await s.h.login(who);
      expect(JSON.stringify((await kpi(token)).body), `${who}: the report as JSON`).to.not.contain(secret);
      expect((await kpiFile(token, 'csv')).toString('utf8'), `${who}: the report as CSV`).to.not.contain(secret);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load((await kpiFile(token, 'xlsx')) as never);
      const cells: string[] = [];
      book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
      expect(cells.join('\n'), `${who}: the report as XLSX`).to.not.contain(secret);
    }
    expect(await rejectedAtCounterGuarantee(bank), 'counted at its step').to.equal(before + 1);
  });

  it('keeps the reason on the application, for those who may read it', async () => {
    const own = await s.h.call('GET', `/v1/applications/${id}`, { token: await s.h.login('community-b') });
    expect(own.status).to.equal(200);
    expect(own.body.history.map((x: { reason: string | null }) => x.reason)).to.include(secret);
    const other = await s.h.call('GET', `/v1/applications/${id}`, { token: await s.h.login('bank-b') });
    expect(other.status, 'not the bank’s application').to.be.oneOf([403, 404]);
    expect(JSON.stringify(other.body)).to.not.contain(secret);
  });
});
