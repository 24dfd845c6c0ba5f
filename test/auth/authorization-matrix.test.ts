import { expect } from 'chai';
import { SignJWT } from 'jose';
import pino from 'pino';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Worker } from '@temporalio/worker';
import { testEnv, type AppDatabase, type TestEnv } from '../support/env';
import { newIdNumber, type ApiHarness } from '../support/api';
import { advance } from '../applications/helpers';
import { JWT_SECRET, startPlainApi, type Api } from './helpers';
import { storedClaim } from '../finance/helpers';
import { ApiRouter } from '../../api/route';
import { registerRoutes } from '../../api/app';
import { demoUsers, DEMO_CERTIFICATE_NO, DEMO_PASSWORD } from '../../scripts/lib/demo-seed';
import type { ApiDeps } from '../../api/deps';

/**
 * Every route × every kind of caller, from the route specs themselves: a route added later is
 * covered without touching this file — unless it takes a path parameter, when OWNER_RULES must say
 * whose resource it names (the test fails until it does).
 *
 * Callers: each demo user, another applicant, no token, and forged tokens (alg none, another key,
 * expired, a deactivated user's, one from before a logout). Expected: 401 for no or a bad token;
 * 403 for a role the spec does not admit; never 2xx for a resource of someone else (another
 * organisation, another applicant); a GET of one's own resource is 200; never 5xx.
 * Writes are sent an empty body, so allowed callers mostly get 400: what is checked here is who
 * gets past authentication, roles and ownership.
 */

type Fixture = { applicationId: string; loanId: string; claimId: string; fundId: string; certificateNo: string; userId: string; idNumber: string };
/** Who may get 2xx on a route's resource: a set of usernames, or every caller the route's auth admits. */
type Owners = ReadonlySet<string> | 'all-allowed';
interface OwnerRule {
  params(f: Fixture): Record<string, string>;
  owners: Owners;
}

const OTHER_APPLICANT = 'other-applicant';
/** The application (and its loan): applicant's, of community-a, disbursed by bank-a. */
const applicationOwners = new Set(['applicant', 'trainer', 'community-a', 'g-reviewer', 'g-approver', 'bank-a', 'fin-officer', 'fin-approver', 'auditor']);
/** A subsidy claim of bank-a. */
const claimOwners = new Set(['bank-a', 'fin-officer', 'fin-approver', 'auditor']);
/** Every officer and the holder, not another applicant: the demo certificate (masked unless entitled). */
const officersAndHolder = new Set(demoUsers.map((u) => u.username).filter((u) => u !== 'admin'));

/** The rules most routes share: the fixture's application, its loan and claim, a fund, a period, an id that names nothing. */
const theApplication: OwnerRule = { params: (f) => ({ id: f.applicationId }), owners: applicationOwners };
const itsLoan: OwnerRule = { params: (f) => ({ id: f.loanId }), owners: applicationOwners };
const theClaim: OwnerRule = { params: (f) => ({ id: f.claimId }), owners: claimOwners };
const aFund: OwnerRule = { params: (f) => ({ id: f.fundId }), owners: 'all-allowed' };
const aPeriod: OwnerRule = { params: () => ({ quarter: '2020Q1' }), owners: 'all-allowed' };
// None exists: every allowed caller gets 404.
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
const noSuchId: OwnerRule = { params: () => ({ id: NO_SUCH_ID }), owners: 'all-allowed' };

const OWNER_RULES: Record<string, OwnerRule> = {
  '/v1/applications/:id': theApplication,
  '/v1/applications/:id/withdrawal': theApplication,
  '/v1/applications/:id/counter-guarantee': theApplication,
  '/v1/applications/:id/guarantee-review': theApplication,
  '/v1/applications/:id/guarantee-approval': theApplication,
  '/v1/applications/:id/disbursal': theApplication,
  '/v1/loans/:id': itsLoan,
  '/v1/loans/:id/payoff': itsLoan,
  '/v1/loans/:id/repayments': itsLoan,
  '/v1/loans/:id/extension': itsLoan,
  '/v1/loans/:id/recoveries': itsLoan,
  '/v1/loans/:id/follow-up': itsLoan,
  '/v1/loans/:id/follow-up-visits': itsLoan,
  '/v1/certificates/:no': { params: (f) => ({ no: f.certificateNo }), owners: officersAndHolder },
  '/v1/certificates/:no/revocation': { params: (f) => ({ no: f.certificateNo }), owners: new Set(['trainer']) },
  // The borrower's integrity record: the person, and those who handle an application of theirs.
  '/v1/integrity-records/:idNumber': { params: (f) => ({ idNumber: f.idNumber }), owners: applicationOwners },
  '/v1/subsidy-claims/:id': theClaim,
  '/v1/subsidy-claims/:id/check': theClaim,
  '/v1/subsidy-claims/:id/approval': theClaim,
  '/v1/subsidy-claims/:id/payment': theClaim,
  '/v1/subsidy-claims/:id/payout': theClaim,
  // One finance bureau in the demo: its funds, periods, ledger and reconciliations are every allowed reader's.
  '/v1/funds/:id': aFund,
  '/v1/funds/:id/top-ups': aFund,
  '/v1/funds/:id/lapse': aFund,
  // Programme claims and incubators: none exists in the matrix's data; every allowed caller gets 404.
  '/v1/training-claims/:id': noSuchId,
  '/v1/training-claims/:id/check': noSuchId,
  '/v1/training-claims/:id/approval': noSuchId,
  '/v1/incubator-rewards/:id': noSuchId,
  '/v1/incubator-rewards/:id/check': noSuchId,
  '/v1/incubator-rewards/:id/approval': noSuchId,
  '/v1/incubators/:id': noSuchId,
  '/v1/incubators/:id/enterprises': noSuchId,
  '/v1/incubators/:id/enterprises/:enterpriseId/graduation': { params: () => ({ id: NO_SUCH_ID, enterpriseId: NO_SUCH_ID }), owners: 'all-allowed' },
  '/v1/periods/:quarter': aPeriod,
  '/v1/periods/:quarter/close': aPeriod,
  '/v1/periods/:quarter/reopen': aPeriod,
  '/v1/periods/:quarter/reopen-requests/:requestId/decision': {
    params: () => ({ quarter: '2020Q1', requestId: NO_SUCH_ID }),
    owners: 'all-allowed',
  },
  '/v1/funds/:id/top-ups/:proposalId': { params: (f) => ({ id: f.fundId, proposalId: NO_SUCH_ID }), owners: 'all-allowed' },
  '/v1/funds/:id/top-ups/:proposalId/decision': { params: (f) => ({ id: f.fundId, proposalId: NO_SUCH_ID }), owners: 'all-allowed' },
  '/v1/ledger/accounts/:code/balance': { params: () => ({ code: 'no-such-account' }), owners: 'all-allowed' },
  '/v1/reconciliations/:id': noSuchId,
  '/v1/reconciliations/:id/mismatches': noSuchId,
  '/v1/reconciliations/:id/lines': noSuchId,
  '/v1/reconciliations/:id/mismatches/:itemNo/resolution': { params: () => ({ id: NO_SUCH_ID, itemNo: '1' }), owners: 'all-allowed' },
  // Saved forecast scenarios are the bureau's shared planning records: every allowed reader's.
  '/v1/forecasts/scenarios/:id': noSuchId,
  // Admin only; the admin is everyone's owner here.
  '/v1/users/:id': { params: (f) => ({ id: f.userId }), owners: 'all-allowed' },
};

/** GETs of a resource that exists: its owners get 200 (the others name none, or need a query). */
const EXISTING_RESOURCE = new Set(['/v1/applications/:id', '/v1/loans/:id', '/v1/certificates/:no', '/v1/subsidy-claims/:id', '/v1/funds/:id', '/v1/integrity-records/:idNumber']);

describe('authorisation matrix: every route × every caller', () => {
  let env: TestEnv, d: AppDatabase, api: Api, worker: Worker, running: Promise<void>;
  const tokens = new Map<string, string>();
  const forged = new Map<string, string>();
  let fixture: Fixture;
  let routes: ApiRouter['routes'];

  const login = async (username: string, password = DEMO_PASSWORD) => {
    const r = await api.call('POST', '/v1/auth/login', { body: { username, password } });
    expect(r.status, `${username}: ${JSON.stringify(r.body)}`).to.equal(200);
    return { token: r.body.token as string, id: r.body.user.id as string };
  };

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    d = await env.newDatabase('authz', { seed: true, pool: 8 });
    const created = await env.createWorker(env.temporal, { deps: { db: d.db } });
    worker = created.worker;
    running = worker.run();
    api = await startPlainApi(env, { db: d.db, deps: { taskQueue: created.taskQueue } });

    const spec = new ApiRouter({ db: d.db, logger: pino({ level: 'silent' }) } as ApiDeps, new OpenAPIRegistry());
    registerRoutes(spec);
    routes = spec.routes;

    for (const u of demoUsers) tokens.set(u.username, (await login(u.username)).token);
    const other = `other-${Date.now().toString(36)}`;
    await api.call('POST', '/v1/auth/register', { body: { username: other, password: 'password-1', idNumber: newIdNumber(), name: 'Wang Fang', phone: '13900000004' } });
    tokens.set(OTHER_APPLICANT, (await login(other, 'password-1')).token);

    // The applicant's application, through to disbursal by bank-a: an application and a loan.
    const orgId = async (name: string) => (await d.db('organisations').where({ name }).first()).id as string;
    const [communityA, bankA] = [await orgId('Nanguan Credit Community'), await orgId('Changchun Rural Commercial Bank')];
    const applicant = demoUsers.find((u) => u.username === 'applicant')!;
    const submitted = await api.call('POST', '/v1/applications', {
      token: tokens.get('applicant'),
      body: {
        idNumber: applicant.idNumber, name: applicant.name, phone: applicant.phone, targetGroup: 'college_graduate', certificateNo: DEMO_CERTIFICATE_NO,
        communityId: communityA, bankId: bankA, requestedAmount: '50000.00', termMonths: 12, repaymentMethod: 'monthly_interest_bullet',
        businessPlan: 'A bicycle repair shop by the station, one employee.',
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);
    const harness = { call: api.call, login: async (u: string) => tokens.get(u)! } as unknown as ApiHarness;
    const disbursed = await advance(harness, submitted.body.id, 'disbursal', '50000.00');
    const bankAUser = (await d.db('users').where({ username: 'bank-a' }).first()).id;
    const claim = { id: '11111111-1111-4111-8111-111111111111' };
    await storedClaim(d.db, { ...claim, bank_id: bankA, quarter: '2020Q1', workflow_id: 'no-such-workflow', status: 'SUBMITTED', late: false, total: '1.00', filed_on: '2020-04-02', filed_by: bankAUser });
    fixture = {
      applicationId: submitted.body.id,
      loanId: disbursed.loanId,
      claimId: claim.id,
      fundId: (await d.db('funds').first('id')).id,
      certificateNo: DEMO_CERTIFICATE_NO,
      userId: (await d.db('users').where({ username: 'auditor' }).first()).id,
      idNumber: applicant.idNumber!,
    };

    // Forged and dead tokens.
    const admin = await login('admin');
    const key = (s: string) => new TextEncoder().encode(s);
    const claims = { username: 'admin', role: 'admin', orgId: null, tv: 0 };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    forged.set('alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: admin.id, iss: 'loanflow', aud: 'loanflow-api', exp: Math.floor(Date.now() / 1000) + 600 })}.`);
    forged.set('another key', await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(admin.id).setIssuer('loanflow').setAudience('loanflow-api').setExpirationTime('10m').sign(key('not-the-secret-not-the-secret-!!')));
    forged.set('expired', await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(admin.id).setIssuer('loanflow').setAudience('loanflow-api').setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(key(JWT_SECRET)));
    const officer = async (username: string) => {
      const bank = (await d.db('organisations').where({ type: 'bank' }).first()).id;
      const r = await api.call('POST', '/v1/users', { token: admin.token, body: { username, password: 'password-1', role: 'bank_officer', orgId: bank } });
      expect(r.status).to.equal(201);
      return { ...(await login(username, 'password-1')), userId: r.body.id as string };
    };
    const gone = await officer(`gone-${Date.now().toString(36)}`);
    expect((await api.call('PATCH', `/v1/users/${gone.userId}`, { token: admin.token, body: { active: false } })).status).to.equal(200);
    forged.set('deactivated user', gone.token);
    const out = await officer(`out-${Date.now().toString(36)}`);
    expect((await api.call('POST', '/v1/auth/logout', { token: out.token })).status).to.equal(204);
    forged.set('after logout', out.token);
  });
  after(async () => {
    await api?.close();
    if (worker) {
      worker.shutdown();
      await running;
    }
  });

  it('knows whose resource every route with a path parameter names', () => {
    const missing = routes.filter((r) => r.path.includes(':') && !OWNER_RULES[r.path]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing, 'add an owner rule to OWNER_RULES in test/auth/authorization-matrix.test.ts for').to.deep.equal([]);
    expect(routes.length).to.be.greaterThan(40);
  });

  it('answers every route as its spec and its resource’s owner say, and never 5xx', async function () {
    this.timeout(120_000);
    // Logging out revokes the caller's tokens: last.
    const ordered = [...routes].sort((a, b) => Number(a.path === '/v1/auth/logout') - Number(b.path === '/v1/auth/logout'));
    const problems: string[] = [];
    let calls = 0;
    for (const route of ordered) {
      const rule = OWNER_RULES[route.path];
      const params = rule?.params(fixture) ?? {};
      const path = route.path.replace(/:([A-Za-z_]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? 'x'));
      const label = `${route.method.toUpperCase()} ${route.path}`;
      const body = route.method === 'get' ? undefined : {};
      const send = (token?: string) => {
        calls += 1;
        return api.call(route.method.toUpperCase(), path, { token, body });
      };
      const allowed = (username: string) => {
        if (route.auth === 'public' || route.auth === 'signed-in') return true;
        const role = username === OTHER_APPLICANT ? 'applicant' : demoUsers.find((u) => u.username === username)!.role;
        return (route.auth as readonly string[]).includes(role);
      };

      for (const [who, token] of [['no token', undefined], ...forged] as Array<[string, string | undefined]>) {
        const r = await send(token);
        if (r.status >= 500) problems.push(`${label} with ${who}: ${r.status}`);
        else if (route.auth !== 'public' && r.status !== 401) problems.push(`${label} with ${who}: ${r.status}, expected 401`);
      }
      const callers = [...tokens.keys()];
      const results = await Promise.all(callers.map(async (who) => [who, await send(tokens.get(who))] as const));
      for (const [who, r] of results) {
        const where = `${label} as ${who}: ${r.status} ${String(JSON.stringify(r.body ?? null)).slice(0, 160)}`;
        if (r.status >= 500) problems.push(where);
        else if (route.auth === 'public') continue;
        else if (!allowed(who)) {
          if (r.status !== 403) problems.push(`${where} — expected 403 (role not in auth)`);
        } else if (r.status === 401 || (r.status === 403 && rule === undefined)) problems.push(`${where} — an allowed role was refused`);
        else if (rule && rule.owners !== 'all-allowed' && !rule.owners.has(who)) {
          if (r.status >= 200 && r.status < 300) problems.push(`${where} — someone else's resource`);
        } else if (route.method === 'get' && EXISTING_RESOURCE.has(route.path) && r.status !== 200) {
          problems.push(`${where} — expected 200 for its owner`);
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(calls).to.be.greaterThan(500);
  });
});
