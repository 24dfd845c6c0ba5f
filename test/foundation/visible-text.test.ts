import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf } from '../support/env';
import { openPrivateSuite, newApplicant, newIdNumber, type ApiHarness, type DemoOrgs } from '../support/api';
import { fingerprinter, changedTables, type Fingerprinter } from '../support/fingerprint';
import { applicationBody, submit } from '../applications/helpers';

/**
 * Names, regions, reasons and notes are shown to people in lists: a character that is invisible or
 * turns the text around (U+202E, U+200B, ...) is refused with a 400 naming the field and the
 * character, and nothing is written (docs/api.md, "Input rules"). Line breaks stay allowed where
 * the text may run over several lines.
 */
describe('input: names and reasons with invisible or direction-changing characters', function () {
  let db: Knex, h: ApiHarness, orgs: DemoOrgs, fp: Fingerprinter;
  const tokens: Record<string, string> = {};
  let incubatorId: string, applicationId: string, applicant: { token: string } & Record<string, any>;

  before(async function () {
    this.timeout(120_000);
    ({ db, h, orgs } = await openPrivateSuite('visible'));
    fp = await fingerprinter(adminOf(db));
    for (const u of ['admin', 'trainer', 'community-a', 'fin-officer']) tokens[u] = await h.login(u);
    const inc = await h.call('POST', '/v1/incubators', { token: tokens['fin-officer'], body: { name: '南关创业孵化基地', operatorName: '南关创业服务有限公司', operatorCreditCode: '91220102MA17X0000A', region: '南关区' } });
    expect(inc.status, JSON.stringify(inc.body)).to.equal(201);
    incubatorId = inc.body.id;
    applicant = await newApplicant(h);
    applicationId = await submit(h, await newApplicant(h), orgs);
  });
  after(async () => h?.close());

  const cases: Array<{ what: string; as?: string | (() => string); path: () => string; body: () => unknown; field: string; char: string }> = [
    { what: 'an organisation’s name', as: 'admin', path: () => '/v1/organisations', body: () => ({ type: 'community', name: 'Kuan\u202Echeng', region: 'Nanguan' }), field: 'name', char: 'U+202E' },
    { what: 'an organisation’s region', as: 'admin', path: () => '/v1/organisations', body: () => ({ type: 'community', name: 'Kuancheng', region: 'Nan\u200Bguan' }), field: 'region', char: 'U+200B' },
    { what: 'an incubator’s name', as: 'fin-officer', path: () => '/v1/incubators', body: () => ({ name: '孵化\u2066基地', operatorName: '运营公司', operatorCreditCode: '91220102MA17X0000B', region: '南关区' }), field: 'name', char: 'U+2066' },
    { what: 'an incubator’s operator', as: 'fin-officer', path: () => '/v1/incubators', body: () => ({ name: '孵化基地', operatorName: '运营\u200D公司', operatorCreditCode: '91220102MA17X0000B', region: '南关区' }), field: 'operatorName', char: 'U+200D' },
    { what: 'an enterprise’s name', as: 'fin-officer', path: () => `/v1/incubators/${incubatorId}/enterprises`, body: () => ({ name: '长春\uFEFF科技', creditCode: '91220102MA17X0000C', enteredOn: '2026-01-05' }), field: 'name', char: 'U+FEFF' },
    { what: 'a fund’s name', as: 'fin-officer', path: () => '/v1/funds', body: () => ({ programme: 'training_subsidy', year: 2031, name: 'Fund\u202D2031' }), field: 'name', char: 'U+202D' },
    { what: 'a forecast scenario’s name', as: 'fin-officer', path: () => '/v1/forecasts/scenarios', body: () => ({ name: 'Share one half\u202E', params: { subsidyShare: '0.5' } }), field: 'name', char: 'U+202E' },
    { what: 'a registering applicant’s name', path: () => '/v1/auth/register', body: () => ({ username: 'bidi-applicant', password: 'long enough', idNumber: newIdNumber(), name: '张\u200B三', phone: '13900000001' }), field: 'name', char: 'U+200B' },
    { what: 'an account’s name', as: 'admin', path: () => '/v1/users', body: () => ({ username: 'bidi-trainer', password: 'long enough', role: 'training_officer', orgId: orgs.training, name: 'Li\u2028Si' }), field: 'name', char: 'U+2028' },
    { what: 'an applicant’s name', as: () => applicant.token, path: () => '/v1/applications', body: () => applicationBody(applicant as never, orgs, { name: `${applicant.name}\u202E` }), field: 'name', char: 'U+202E' },
    { what: 'a business plan', as: () => applicant.token, path: () => '/v1/applications', body: () => applicationBody(applicant as never, orgs, { businessPlan: 'A noodle shop near the university,\u202E two employees.' }), field: 'businessPlan', char: 'U+202E' },
    { what: 'a rejection’s reason', as: 'community-a', path: () => `/v1/applications/${applicationId}/counter-guarantee`, body: () => ({ decision: 'reject', type: 'credit_community', reason: 'unknown\u200B to us' }), field: 'reason', char: 'U+200B' },
    { what: 'a trainee’s name', as: 'trainer', path: () => '/v1/training-claims', body: () => ({ part: 'base', course: 'SYB', classRef: 'SYB-2026-01', enrolled: 1, trainees: [{ certificateNo: 'SYB-2026-0001', idNumber: newIdNumber(), name: '李\u0007四' }] }), field: 'trainees.0.name', char: 'U+0007' },
  ];

  for (const c of cases) {
    it(`refuses ${c.what} holding ${c.char}, naming the field, and writes nothing`, async function () {
      const token = typeof c.as === 'function' ? c.as() : c.as ? tokens[c.as] : undefined;
      const before = await fp.take();
      const r = await h.call('POST', c.path(), { token, body: c.body() });
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      const detail = r.body.error.details.find((d: { path: string }) => d.path === c.field);
      expect(detail, JSON.stringify(r.body)).to.not.equal(undefined);
      expect(detail.message).to.contain(c.char);
      expect(changedTables(before, await fp.take()), 'tables written by a refused request').to.deep.equal([]);
    });
  }

  it('refuses a statement whose file name holds U+202E (file names are listed), naming fileName, and writes nothing', async function () {
    const before = await fp.take();
    const form = new FormData();
    form.append('quarter', '2026Q2');
    form.append('bankId', orgs.bankA);
    form.append('file', new Blob(['date,reference,amount,description\n'], { type: 'text/csv' }), 'statement\u202Ecsv.exe');
    const res = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${tokens['fin-officer']}` }, body: form });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).to.equal(400);
    const detail = body.error.details.find((d: { path: string }) => d.path === 'fileName');
    expect(detail, JSON.stringify(body)).to.not.equal(undefined);
    expect(detail.message).to.contain('U+202E');
    expect(changedTables(before, await fp.take()), 'tables written by a refused request').to.deep.equal([]);
  });

  for (const [field, value, char] of [['actor', 'fin\u200Bofficer', 'U+200B'], ['action', 'subsidy_claim\u202E', 'U+202E'], ['entityId', '2027Q1\u0007', 'U+0007']] as const) {
    it(`refuses an audit-log search whose ${field} holds ${char}, naming it`, async function () {
      const r = await h.call('GET', `/v1/audit-log?${new URLSearchParams({ [field]: value })}`, { token: await h.login('auditor') });
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      const detail = r.body.error.details.find((d: { path: string }) => d.path === field);
      expect(detail, JSON.stringify(r.body)).to.not.equal(undefined);
      expect(detail.message).to.contain(char);
    });
  }

  it('still takes a reason over two lines, and names in Chinese', async function () {
    const r = await h.call('POST', `/v1/applications/${applicationId}/counter-guarantee`, { token: tokens['community-a'], body: { decision: 'reject', type: 'credit_community', reason: '社区不了解申请人。\n请先登记住址。' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const seen = await h.call('GET', `/v1/applications/${applicationId}`, { token: tokens['community-a'] });
    expect(seen.body.history.map((x: { reason: string | null }) => x.reason)).to.include('社区不了解申请人。\n请先登记住址。');
  });
});
