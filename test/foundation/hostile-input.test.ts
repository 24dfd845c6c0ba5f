import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { adminOf } from '../support/env';
import { newApplicant, usePrivateSuite } from '../support/api';
import { rawRequest, type RawReply } from '../support/raw-http';
import { fingerprinter, changedTables, type Fingerprinter } from '../support/fingerprint';
import { applicationBody } from '../applications/helpers';
import { defaultPolicyParams } from '../../domain/policy';

/**
 * Hostile requests an independent probe answered with 500: each must now be a 4xx naming what is
 * wrong, and write nothing.
 */
describe('hostile input: a 4xx naming the field, nothing written, never a 5xx', () => {
  // A database of its own: these tests top up a fund and add officers' decisions.
  const s = usePrivateSuite('hostile', { logins: ['admin', 'trainer', 'community-a', 'bank-a', 'fin-officer', 'fin-approver', 'auditor'] });
  let fp: Fingerprinter;
  before(async () => {
    fp = await fingerprinter(adminOf(s.db));
  });

  interface Send {
    method?: string;
    path: string;
    as?: string;
    /** An object is sent as JSON text; a string or Buffer as it is. */
    body?: unknown;
    headers?: Record<string, string>;
  }
  const send = (o: Send): Promise<RawReply> => {
    const headers: Record<string, string> = { ...(o.as ? { authorization: `Bearer ${s.tokens[o.as]}` } : {}) };
    let body: string | Buffer | undefined;
    if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) body = o.body;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return rawRequest(s.h.url, { method: o.method ?? 'POST', path: o.path, headers: { ...headers, ...o.headers }, body, timeoutMs: 20_000 });
  };

  /** Sends, and expects `status` with `path` among the details, and no table changed. */
  async function refused(o: Send, status: number | number[], path?: string | RegExp): Promise<RawReply> {
    const before = await fp.take();
    const r = await send(o);
    const statuses = Array.isArray(status) ? status : [status];
    expect(statuses, `${o.method ?? 'POST'} ${o.path}: ${r.status} ${r.text.slice(0, 500)}`).to.include(r.status);
    expect(r.json?.error?.code, r.text.slice(0, 500)).to.be.a('string');
    if (path !== undefined) {
      const paths: string[] = r.json.error.details.map((d: { path: string }) => d.path);
      if (typeof path === 'string') expect(paths, r.text.slice(0, 500)).to.include(path);
      else expect(paths.some((p) => path.test(p)), r.text.slice(0, 500)).to.equal(true);
    }
    expect(changedTables(before, await fp.take()), 'tables written by a refused request').to.deep.equal([]);
    return r;
  }

  const login = { username: 'admin', password: 'wrong-password' };

  describe('Content-Type and Content-Encoding', () => {
    it('refuses a JSON body in a charset other than UTF-8 with 415 naming the charset', async () => {
      for (const charset of ['latin1', 'iso-8859-1', 'utf-16', 'UTF-16LE', 'utf-32', 'utf8', 'koi8-r', 'nonsense']) {
        const body = charset.toLowerCase().startsWith('utf-16') ? Buffer.from(JSON.stringify(login), 'utf16le') : JSON.stringify(login);
        const r = await refused({ path: '/v1/auth/login', body, headers: { 'content-type': `application/json; charset=${charset}` } }, 415, 'Content-Type');
        expect(r.json.error.message.toLowerCase()).to.contain(charset.toLowerCase());
      }
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Latin Bank', region: 'X' }, headers: { 'content-type': 'application/json; charset=latin1' } }, 415, 'Content-Type');
    });

    it('still reads UTF-8, with or without the charset', async () => {
      for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
        const r = await send({ path: '/v1/auth/login', body: JSON.stringify(login), headers: { 'content-type': `application/json; charset=${charset}` } });
        expect(r.status, r.text).to.equal(401);
      }
    });

    it('refuses a body that is not JSON where JSON is expected with 415', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        await refused({ path: '/v1/organisations', as: 'admin', body: JSON.stringify({ type: 'bank', name: 'Plain Bank', region: 'X' }), headers: { 'content-type': type } }, 415, 'Content-Type');
      }
      await refused({ path: '/v1/organisations', as: 'admin', body: 'x', headers: { 'content-type': 'application/json; charset="' } }, [400, 415]);
      await refused({ path: '/v1/organisations', as: 'admin', body: JSON.stringify({ type: 'bank', name: 'No Type Bank', region: 'X' }), headers: { 'content-type': '' } }, 415, 'Content-Type');
    });

    it('refuses an unknown or lying Content-Encoding with 415 or 400, never 500', async () => {
      const json = JSON.stringify({ type: 'bank', name: 'Encoded Bank', region: 'X' });
      await refused({ path: '/v1/organisations', as: 'admin', body: json, headers: { 'content-encoding': 'br' } }, [400, 415], '(body)');
      await refused({ path: '/v1/organisations', as: 'admin', body: json, headers: { 'content-encoding': 'gzip' } }, [400, 415], '(body)');
      await refused({ path: '/v1/organisations', as: 'admin', body: json, headers: { 'content-encoding': 'deflate' } }, [400, 415], '(body)');
      await refused({ path: '/v1/organisations', as: 'admin', body: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), headers: { 'content-encoding': 'gzip' } }, [400, 415], '(body)');
      await refused({ path: '/v1/organisations', as: 'admin', body: json, headers: { 'content-encoding': 'x-rot13' } }, 415, 'Content-Encoding');
      await refused({ path: '/v1/organisations', as: 'admin', body: json, headers: { 'content-encoding': 'gzip, br' } }, [400, 415]);
    });

    it('still reads a truly gzipped body', async () => {
      const r = await send({ path: '/v1/auth/login', body: gzipSync(JSON.stringify(login)), headers: { 'content-encoding': 'gzip' } });
      expect(r.status, r.text).to.equal(401);
    });
  });

  describe('text PostgreSQL cannot store', () => {
    it('refuses NUL in a login name with 400 naming the field', async () => {
      await refused({ path: '/v1/auth/login', body: { username: 'admin\u0000', password: 'demo' } }, 400, 'username');
      await refused({ path: '/v1/auth/login', body: { username: 'admin', password: 'de\u0000mo' } }, 400, 'password');
    });

    it('refuses NUL and broken percent-escapes in a path parameter', async () => {
      await refused({ method: 'GET', path: '/v1/certificates/SYB%00', as: 'trainer' }, 400, 'no');
      await refused({ method: 'POST', path: '/v1/certificates/%00/revocation', as: 'trainer', body: { reason: 'fraud' } }, 400, 'no');
      await refused({ method: 'GET', path: '/v1/certificates/%E0%A4%A', as: 'trainer' }, 400);
      await refused({ method: 'GET', path: `/v1/ledger/accounts/fund%00/balance`, as: 'auditor' }, 400, 'code');
    });

    it('refuses NUL and lone surrogates in any string, object key or query value, naming the path', async () => {
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Bank\u0000', region: 'X' } }, 400, 'name');
      // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Bank \ud800', region: 'X' } }, 400, 'name');
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Bank', region: '\udfff' } }, 400, 'region');
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Key Bank', region: 'X', 'x\u0000': 1 } }, 400, /x/);
      await refused({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Nested', region: 'X', extra: [{ deep: ['\u0000'] }] } }, 400, 'extra.0.deep.0');
      await refused({ method: 'GET', path: '/v1/applications?status=%00', as: 'community-a' }, 400, 'status');
      await refused({ method: 'GET', path: '/v1/organisations?%00=1', as: 'community-a' }, 400);
      // A well-formed pair (an emoji) is fine.
      const ok = await send({ path: '/v1/organisations', as: 'admin', body: { type: 'bank', name: 'Emoji Bank 🏦', region: 'X' } });
      expect(ok.status, ok.text).to.equal(201);
    });

    it('refuses a body that is not valid UTF-8, rather than storing U+FFFD in its place', async () => {
      const body = Buffer.concat([Buffer.from('{"type":"bank","name":"Wang '), Buffer.from([0xff, 0xfe]), Buffer.from(' Fang","region":"X"}')]);
      await refused({ path: '/v1/organisations', as: 'admin', body }, 400);
    });

    it("refuses NUL in a decision's reason at the door, so the application's workflow is never handed it", async () => {
      const a = await newApplicant(s.h);
      const submitted = await s.h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, s.orgs) });
      expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);
      const id = submitted.body.id;
      await refused({ path: `/v1/applications/${id}/counter-guarantee`, as: 'community-a', body: { decision: 'approve', type: 'credit_community', reason: 'ok\u0000' } }, 400, 'reason');
      await refused({ path: `/v1/applications/${id}/counter-guarantee`, as: 'community-a', body: { decision: 'approve', type: 'credit_community', reason: 'ok \ud83d' } }, 400, 'reason');
      // The application was not wedged: the next, clean decision is recorded.
      const r = await send({ path: `/v1/applications/${id}/counter-guarantee`, as: 'community-a', body: { decision: 'approve', type: 'credit_community', reason: 'ok' } });
      expect(r.status, r.text).to.equal(200);
      expect(r.json.status).to.equal('AWAITING_GUARANTEE_REVIEW');
    });

    it('refuses NUL in a statement form field or file name, and in the file itself', async () => {
      const multipart = (fields: Record<string, string>, fileName: string, content: string) => {
        const boundary = 'fuzzboundary';
        const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
        parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename*=utf-8''${encodeURIComponent(fileName)}\r\ncontent-type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`);
        return { body: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
      };
      const csv = 'date,reference,amount,description\n2026-04-15,abc,10.00,x\n';
      const fields = { quarter: '2026Q2', bankId: s.orgs.bankA };
      await refused({ path: '/v1/reconciliations', as: 'fin-officer', ...multipart(fields, 'state\u0000ment.csv', csv) }, 400, 'fileName');
      await refused({ path: '/v1/reconciliations', as: 'fin-officer', ...multipart({ ...fields, quarter: '2026Q2\u0000' }, 's.csv', csv) }, 400, 'quarter');
      await refused({ path: '/v1/reconciliations', as: 'fin-officer', ...multipart(fields, 's.csv', csv.replace('x\n', 'x\u0000y\n')) }, 400);
      await refused(
        { path: `/v1/reconciliations?quarter=2026Q2&bankId=${s.orgs.bankA}`, as: 'fin-officer', body: csv.replace('abc', 'a\u0000c'), headers: { 'content-type': 'text/csv' } },
        400,
      );
    });
  });

  describe('dates, rates and amounts out of range', () => {
    it('refuses year 0000 and other dates outside what the business can mean', async () => {
      const cert = (issuedOn: string) => ({ certificateNo: `C-${randomUUID().slice(0, 8)}`, holderIdNumber: '220102199003070013', holderName: 'Zhang Wei', course: 'SYB', issuedOn });
      for (const d of ['0000-01-01', '0001-01-01', '1000-02-29', '1899-12-31']) {
        await refused({ path: '/v1/certificates', as: 'trainer', body: cert(d) }, 400, 'issuedOn');
      }
      await refused({ method: 'GET', path: '/v1/ledger/entries?from=0000-01-01', as: 'auditor' }, 400, 'from');
      await refused({ method: 'GET', path: '/v1/ledger/trial-balance?asOf=0000-12-31', as: 'auditor' }, 400, 'asOf');
      await refused({ method: 'GET', path: '/v1/periods/0000Q1', as: 'auditor' }, 400, 'quarter');
      await refused({ method: 'GET', path: '/v1/reports/kpi?from=0000-01-01&to=2026-01-01&groupBy=bank', as: 'auditor' }, 400, 'from');
      await refused({ method: 'GET', path: '/v1/reports/kpi?from=2026-01-01&to=9999-12-31&groupBy=bank&format=csv', as: 'auditor' }, 400, 'to');
      await refused({ path: '/v1/policies', as: 'admin', body: { effectiveFrom: '0000-01-01', params: defaultPolicyParams } }, 400, 'effectiveFrom');
    });

    it('refuses an annual rate that is not a decimal fraction, naming annualRate (no exception escapes the schema)', async () => {
      for (const annualRate of ['abc', '4.35%', '', ' 0.04', '1e-2', 'NaN', 'Infinity', '0x1']) {
        const body = { contractNo: 'C-1', amount: '80000.00', annualRate, disbursedOn: '2026-01-05', bankReference: 'R-1' };
        await refused({ path: `/v1/applications/${randomUUID()}/disbursal`, as: 'bank-a', body }, 400, 'annualRate');
      }
    });

    it("refuses a fund top-up beyond what a budget can be, naming amount, and leaves the fund's figures alone", async () => {
      const fund = (await s.db('funds').first()) as { id: string };
      for (const amount of ['9999999999999999.99', '1000000000000.01']) {
        await refused({ path: `/v1/funds/${fund.id}/top-ups`, as: 'fin-officer', body: { amount, reason: 'overflow' } }, 400, 'amount');
      }
      // Each top-up within the limit, but the budget would pass it: refused when approved.
      const proposed = await send({ path: `/v1/funds/${fund.id}/top-ups`, as: 'fin-officer', body: { amount: '999999999999.00', reason: 'too much' } });
      expect(proposed.status, proposed.text).to.equal(201);
      await refused({ path: `/v1/funds/${fund.id}/top-ups/${JSON.parse(proposed.text).id}/decision`, as: 'fin-approver', body: { decision: 'approve' } }, 422, 'amount');
      const ok = await send({ path: `/v1/funds/${fund.id}/top-ups`, as: 'fin-officer', body: { amount: '1000.00', reason: 'fine' } });
      expect(ok.status, ok.text).to.equal(201);
    });

    it('bounds every loan amount by what one loan can be', async () => {
      const id = randomUUID();
      const huge = '9999999999999999.99';
      await refused({ path: `/v1/applications/${id}/guarantee-review`, as: 'admin', body: { recommendation: 'approve', amount: huge, reason: 'x' } }, [400, 403]);
      s.tokens['g-reviewer'] ??= await s.h.login('g-reviewer');
      await refused({ path: `/v1/applications/${id}/guarantee-review`, as: 'g-reviewer', body: { recommendation: 'approve', amount: huge, reason: 'x' } }, 400, 'amount');
      await refused({ path: `/v1/applications/${id}/disbursal`, as: 'bank-a', body: { contractNo: 'C', amount: huge, annualRate: '0.04', disbursedOn: '2026-01-05', bankReference: 'R' } }, 400, 'amount');
      await refused({ path: `/v1/loans/${id}/repayments`, as: 'bank-a', body: { period: 1, amount: huge, paidOn: '2026-01-05', bankReference: 'R' } }, 400, 'amount');
    });
  });

  describe('found by the fuzzer', () => {
    it('answers a claim for a quarter that has not ended with 400, not 500 (the workflow refused it before the filing arrived)', async () => {
      s.tokens['bank-a'] ??= await s.h.login('bank-a');
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const quarter = `${today.slice(0, 4)}Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
      for (const q of [quarter, '2999Q4']) {
        const r = await refused({ path: '/v1/subsidy-claims', as: 'bank-a', body: { quarter: q } }, 400, 'quarter');
        expect(r.json.error.message).to.contain('has not ended');
      }
    });
  });

  describe('a statement whose lines add up past what a total can hold', () => {
    it('is refused with 400 naming the amounts, and nothing is imported', async () => {
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const month = Number(today.slice(5, 7));
      const year = Number(today.slice(0, 4));
      // The last day of the previous quarter: the quarter ended, the date is not in the future.
      const lastQuarterEnd = new Date(Date.UTC(year, Math.floor((month - 1) / 3) * 3, 0)).toISOString().slice(0, 10);
      const quarter = `${lastQuarterEnd.slice(0, 4)}Q${Math.floor((Number(lastQuarterEnd.slice(5, 7)) - 1) / 3) + 1}`;
      const lines = Array.from({ length: 150 }, (_, i) => `${lastQuarterEnd},REF-${i},9999999999999999.99,huge`);
      const csv = ['date,reference,amount,description', ...lines].join('\n') + '\n';
      await refused(
        { path: `/v1/reconciliations?quarter=${quarter}&bankId=${s.orgs.bankB}`, as: 'fin-officer', body: csv, headers: { 'content-type': 'text/csv' } },
        400,
        'amount',
      );
    });
  });

  describe('policy parameters', () => {
    it('refuses counterGuaranteeDays of 2^53 − 1 (which once hung the next submission for good)', async () => {
      await refused({ path: '/v1/policies', as: 'admin', body: { effectiveFrom: '2030-01-01', params: { ...defaultPolicyParams, counterGuaranteeDays: 9007199254740991 } } }, 400, 'params.counterGuaranteeDays');
    });

    it('still takes submissions under a policy with every parameter at its bound', async () => {
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const atTheBounds = {
        ...defaultPolicyParams, guaranteeMax: '100000000.00', termMonthsMax: 600, extensionMaxMonths: 600, graceDays: 3650, defaultAfterDays: 3650,
        leverageCap: 100, maxActiveLoans: 500, maxLifetimeLoans: 500, certificateMaxAgeMonths: 600, counterGuaranteeDays: 3650,
        guaranteeDecisionDays: 3650, disbursalDays: 3650, backdatingWindowDays: 3650, ageMin: 0, ageMax: 150,
      };
      const p = await send({ path: '/v1/policies', as: 'admin', body: { effectiveFrom: today, params: atTheBounds } });
      expect(p.status, p.text).to.equal(201);
      try {
        const a = await newApplicant(s.h);
        const r = await send({ path: '/v1/applications', body: applicationBody(a, s.orgs, { requestedAmount: '100000000.00', termMonths: 600 }), headers: { authorization: `Bearer ${a.token}` } });
        expect(r.status, r.text).to.equal(201);
        expect(r.json.status, r.text).to.equal('AWAITING_COUNTER_GUARANTEE');
        // Ten years to decide: a real date, not an invalid one.
        expect(Date.parse(r.json.stepDeadline)).to.be.greaterThan(Date.now() + 9.9 * 365 * 86_400_000);
      } finally {
        // Later tests here assume the defaults.
        await send({ path: '/v1/policies', as: 'admin', body: { effectiveFrom: today, params: defaultPolicyParams } });
      }
    });

    it('bounds every parameter and says the bound in /openapi.json', async () => {
      const tooBig: Record<string, unknown> = {
        termMonthsMax: 601, extensionMaxMonths: 601, graceDays: 3651, defaultAfterDays: 3651, leverageCap: 101, maxActiveLoans: 1001,
        maxLifetimeLoans: 1001, certificateMaxAgeMonths: 601, counterGuaranteeDays: 3651, guaranteeDecisionDays: 3651, disbursalDays: 3651,
        backdatingWindowDays: 3651, guaranteeMax: '100000000.01', termMonthsMin: 601,
      };
      for (const [k, v] of Object.entries(tooBig)) {
        await refused({ path: '/v1/policies', as: 'admin', body: { effectiveFrom: '2030-01-01', params: { ...defaultPolicyParams, [k]: v } } }, 400, `params.${k}`);
      }
      const doc = (await send({ method: 'GET', path: '/openapi.json' })).json;
      const params = doc.components.schemas.PolicyParams ?? doc.components.schemas.NewPolicyVersion.properties.params;
      for (const k of Object.keys(tooBig)) {
        const p = params.properties[k];
        expect(p.maximum ?? p.description, k).to.not.equal(undefined);
        expect(p.description ?? '', k).to.match(/at most|≤/);
      }
    });
  });

  describe('deep nesting', () => {
    const deep = (n: number, open: string, close: string, leaf = '1') => open.repeat(n) + leaf + close.repeat(n);
    it('refuses 200,000-deep arrays and 160,000-deep objects with 400, wherever they sit', async () => {
      await refused({ path: '/v1/auth/login', body: deep(200_000, '[', ']') }, 400, /^0(\.0)+$/);
      await refused({ path: '/v1/auth/login', body: `{"username":${deep(200_000, '[', ']')},"password":"x"}` }, 400);
      await refused({ path: '/v1/auth/login', body: `{"username":"a","password":"b","x":${deep(160_000, '{"a":', '}')}}` }, 400);
      await refused({ path: '/v1/organisations', as: 'admin', body: `{"type":"bank","name":"Deep","region":${deep(160_000, '{"a":', '}')}}` }, 400);
      // A route that takes no body still hashes what it was sent, for its Idempotency-Key.
      await refused({ path: `/v1/subsidy-claims/${randomUUID()}/payment`, as: 'fin-officer', body: deep(200_000, '[', ']'), headers: { 'idempotency-key': 'deep-1' } }, 400);
    });
  });
});
