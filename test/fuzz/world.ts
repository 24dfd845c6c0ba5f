/**
 * The fuzzer's world: a database of its own with the demo data, the API and a worker on it, the
 * demo users signed in, and a few real resources for paths that take ids (applications at several
 * steps, a loan, a certificate, a reconciliation with a mismatch, the fund, ledger accounts, an
 * officer's account the admin may change), plus hints that make generated bodies plausible.
 */
import fc from 'fast-check';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { testEnv, type AppDatabase } from '../support/env';
import { startApi, newApplicant, demoOrgs, type ApiHarness, type DemoOrgs, type Applicant } from '../support/api';
import { applicationBody, advance } from '../applications/helpers';
import { DEMO_CERTIFICATE_NO, demoUsers } from '../../scripts/lib/demo-seed';
import { businessDateOf } from '../../domain/business-day';
import { addDays, previousQuarter, quarterBounds, quarterOf } from '../../domain/dates';
import { checkCharFor } from '../../domain/id-number';
import { defaultPolicyParams } from '../../domain/policy';
import type { Hints } from './schema-arbitrary';

/** The demo user acting for each role. */
export const USER_OF_ROLE: Record<string, string> = {
  training_officer: 'trainer',
  community_officer: 'community-a',
  guarantee_reviewer: 'g-reviewer',
  guarantee_approver: 'g-approver',
  bank_officer: 'bank-a',
  finance_officer: 'fin-officer',
  finance_approver: 'fin-approver',
  labour_officer: 'labour',
  auditor: 'auditor',
  admin: 'admin',
  applicant: 'applicant',
};

export interface Actor {
  username: string;
  token: string;
  idNumber?: string;
  certificateNo?: string;
  name?: string;
}

export interface World {
  dbs: AppDatabase;
  h: ApiHarness;
  orgs: DemoOrgs;
  today: string;
  /** By username; applicants made for the fuzz run too. */
  actors: Record<string, Actor>;
  /** Usernames acting as applicants (the demo one and those made here). */
  applicants: string[];
  /** Real values for each path parameter, by `{name}` and the path's first segment after /v1. */
  pathValues(path: string, param: string): string[];
  hints(actor: Actor): Hints;
  /** What the server logged at error level for a request id. */
  serverErrors: Map<string, string>;
}

const DEMO_APPLICANT_ID = demoUsers.find((u) => u.username === 'applicant')!.idNumber!;

/** A valid resident ID number from 17 generated digits. */
export const idNumberArb = fc
  .tuple(fc.integer({ min: 110000, max: 659999 }), fc.date({ min: new Date('1966-01-01'), max: new Date('2006-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
  .map(([region, birth, seq]) => {
    const first17 = `${region}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
    return first17 + checkCharFor(first17);
  });

export async function buildWorld(): Promise<World> {
  const env = await testEnv();
  const dbs = await env.newDatabase('fuzz', { seed: true });
  // The API's errors, kept by request id, so a failing case's report shows what the server threw.
  const serverErrors = new Map<string, string>();
  const logger = pino(
    { level: 'error' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { req?: { id?: string }; err?: { stack?: string; message?: string }; msg?: string };
        const id = entry.req?.id;
        if (id) serverErrors.set(id, `${serverErrors.get(id) ?? ''}${entry.msg}: ${entry.err?.stack ?? entry.err?.message ?? ''}\n`);
      },
    },
  );
  const h = await startApi({ ...env, db: dbs.db }, { deps: { db: dbs.db }, logger });
  const orgs = await demoOrgs({ ...env, db: dbs.db });
  const today = businessDateOf(new Date());
  const actors: Record<string, Actor> = {};
  for (const u of demoUsers) actors[u.username] = { username: u.username, token: await h.login(u.username), idNumber: u.idNumber, name: u.name };
  actors.applicant!.certificateNo = DEMO_CERTIFICATE_NO;
  const must = async (what: string, p: Promise<{ status: number; body: any }>, status = 201) => {
    const r = await p;
    if (r.status !== status) throw new Error(`fuzz set-up, ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const call = (as: string, method: string, path: string, body?: unknown) => h.call(method, path, { token: actors[as]!.token, body });

  // Applications at several steps, each of its own applicant; the demo applicant's waits for the community.
  const made: Applicant[] = [];
  const applicationIds: string[] = [];
  const demo = { ...actors.applicant!, userId: '', idNumber: DEMO_APPLICANT_ID, name: 'Zhang Wei', certificateNo: DEMO_CERTIFICATE_NO } as Applicant;
  applicationIds.push((await must('demo application', call('applicant', 'POST', '/v1/applications', applicationBody(demo, orgs)))).id);
  let loanId = '';
  for (const until of ['counter-guarantee', 'guarantee-approval', 'disbursal'] as const) {
    const a = await newApplicant(h);
    made.push(a);
    actors[a.username] = { username: a.username, token: a.token, idNumber: a.idNumber, certificateNo: a.certificateNo, name: a.name };
    const id = (await must(`application to ${until}`, h.call('POST', '/v1/applications', { token: a.token, body: applicationBody(a, orgs) }))).id;
    applicationIds.push(id);
    const last = await advance(h, id, until);
    if (until === 'disbursal') loanId = last.loanId;
  }

  // Applicants with a certificate and nothing in progress, so submissions get past the one-at-a-time rule.
  for (let i = 0; i < 2; i++) {
    const a = await newApplicant(h);
    made.push(a);
    actors[a.username] = { username: a.username, token: a.token, idNumber: a.idNumber, certificateNo: a.certificateNo, name: a.name };
  }

  const certificateNo = `FZ-${randomUUID().slice(0, 8)}`.toUpperCase();
  await must('certificate', call('trainer', 'POST', '/v1/certificates', { certificateNo, holderIdNumber: fc.sample(idNumberArb, { numRuns: 1, seed: 1 })[0], holderName: 'Li Na', course: 'SYB', issuedOn: today }));
  const victim = await must('an officer for PATCH', call('admin', 'POST', '/v1/users', { username: 'fz-victim', password: 'password-123', role: 'bank_officer', orgId: orgs.bankB }));

  // A statement for last quarter with a line no payout matches: one mismatch to resolve.
  const lastQuarter = previousQuarter(quarterOf(today));
  const statement = `date,reference,amount,description\n${quarterBounds(lastQuarter).end},${randomUUID()},10.00,fuzz\n`;
  const form = new FormData();
  form.append('quarter', lastQuarter);
  form.append('bankId', orgs.bankA);
  form.append('file', new Blob([statement], { type: 'text/csv' }), 'statement.csv');
  const upload = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${actors['fin-officer']!.token}` }, body: form });
  const reconciliation = (await upload.json()) as { id: string };
  if (upload.status !== 201) throw new Error(`fuzz set-up, statement: ${upload.status} ${JSON.stringify(reconciliation)}`);

  // A claim when the bank has anything to claim for last quarter; none is fine too.
  const claim = await call('bank-a', 'POST', '/v1/subsidy-claims', { quarter: lastQuarter });
  const claimIds = claim.status === 201 ? [claim.body.id as string] : [];
  const funds = await must('funds', call('fin-officer', 'GET', '/v1/funds'), 200);
  const accounts = (await must('trial balance', call('auditor', 'GET', '/v1/ledger/trial-balance'), 200)).accounts.map((a: { account: string }) => a.account);

  const byParam: Record<string, string[]> = {
    'applications:id': applicationIds,
    'loans:id': [loanId],
    'subsidy-claims:id': claimIds,
    'reconciliations:id': [reconciliation.id],
    'reconciliations:itemNo': ['1', '2'],
    'funds:id': funds.map((f: { id: string }) => f.id),
    'users:id': [victim.id],
    'certificates:no': [DEMO_CERTIFICATE_NO, certificateNo],
    'periods:quarter': [lastQuarter, quarterOf(today), previousQuarter(lastQuarter), '2026Q1'],
    'ledger:code': accounts,
    'integrity-records:idNumber': [DEMO_APPLICANT_ID, ...made.map((a) => a.idNumber)],
  };
  const pathValues = (path: string, param: string) => byParam[`${path.split('/')[2]}:${param}`] ?? [];

  const recentDate = fc.integer({ min: -400, max: 30 }).map((n) => addDays(today, n));
  const anyDate = fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const quarters = fc.constantFrom(lastQuarter, quarterOf(today), previousQuarter(lastQuarter), '2026Q1', '2027Q3');
  const amount = fc.oneof(fc.constantFrom('80000.00', '50000', '100000.00', '1.00', '0.01', '10.00'), fc.integer({ min: 1, max: 10_000_000 }).map((n) => (n / 100).toFixed(2)));
  const text = fc.oneof(fc.constantFrom('looks fine', 'as agreed with the borrower', '材料齐全', 'ok'), fc.string({ unit: 'grapheme', minLength: 3, maxLength: 40 }));
  const policyParams = fc.constantFrom(defaultPolicyParams).chain((p) =>
    fc.record({
      counterGuaranteeDays: fc.integer({ min: 0, max: 3650 }),
      termMonthsMax: fc.integer({ min: 24, max: 600 }),
      graceDays: fc.integer({ min: 0, max: 3650 }),
      guaranteeMax: fc.constantFrom('100000.00', '100000000.00'),
      maxActiveLoans: fc.integer({ min: 1, max: 3 }),
    }, { requiredKeys: [] }).map((over) => ({ ...p, ...over })),
  );

  const hints = (actor: Actor): Hints => ({
    idNumber: fc.constant(actor.idNumber ?? DEMO_APPLICANT_ID),
    holderIdNumber: idNumberArb,
    certificateNo: actor.certificateNo ? fc.constant(actor.certificateNo) : fc.stringMatching(/^FZ-[A-Z0-9]{4,12}$/),
    name: fc.constant(actor.name ?? 'Zhang Wei'),
    holderName: fc.constantFrom('Li Na', 'Wang Fang'),
    communityId: fc.constantFrom(orgs.communityA, orgs.communityB),
    bankId: fc.constantFrom(orgs.bankA, orgs.bankB),
    orgId: fc.constantFrom(...Object.values(orgs)),
    requestedAmount: amount,
    amount,
    annualRate: fc.constantFrom('0.0435', '0.06', '0.015'),
    disbursedOn: recentDate,
    paidOn: recentDate,
    receivedOn: recentDate,
    issuedOn: recentDate,
    effectiveFrom: fc.oneof(recentDate, anyDate),
    from: recentDate,
    to: recentDate,
    asOf: recentDate,
    quarter: quarters,
    reason: text,
    note: text,
    businessPlan: fc.constant('A small noodle shop near the university, two employees in the first year.'),
    contractNo: fc.stringMatching(/^C-[0-9]{1,8}$/),
    bankReference: fc.stringMatching(/^R-[0-9]{1,8}$/),
    reference: fc.stringMatching(/^R-[0-9]{1,8}$/),
    username: fc.stringMatching(/^fz[a-z0-9]{3,12}$/),
    password: fc.constantFrom('password-123', 'demo'),
    params: policyParams,
    period: fc.integer({ min: 1, max: 3 }),
    months: fc.integer({ min: 1, max: 12 }),
    termMonths: fc.constantFrom(6, 12, 24),
  });

  return { dbs, h, orgs, today, actors, applicants: ['applicant', ...made.map((a) => a.username)], pathValues, hints, serverErrors };
}
