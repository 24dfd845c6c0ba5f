import { expect } from 'chai';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { adminOf, type TestEnv } from '../support/env';
import { newApplicant, type ApiHarness, type Applicant } from '../support/api';
import { submit, type DemoOrgs } from '../applications/helpers';
import { businessDateOf } from '../../domain/business-day';
import { businessDayStartMs } from '../../domain/loan-calendar';
import { Money, formatMoney } from '../../domain/money';
import { accountCode, allocateBudget, postEntry, trialBalance } from '../../db/ledger';
import { openFund } from '../support/funds';
import { defaultPolicyParams, type PolicyParams } from '../../domain/policy';

const HOUR = 3600 * 1000;

/** The business date on the server the workflows run on: with time skipping it runs ahead of the wall clock. */
export async function serverToday(on: TestWorkflowEnvironment): Promise<string> {
  return businessDateOf(await on.currentTimeMs());
}

/** Moves the (time-skipping) server to `hour` o'clock, UTC+8, of a business date; never backwards. */
export async function skipTo(on: TestWorkflowEnvironment, date: string, hour = 10): Promise<void> {
  const target = businessDayStartMs(date) + hour * HOUR;
  const now = await on.currentTimeMs();
  if (target > now) await on.sleep(target - now);
}

export interface LoanOptions {
  amount?: string;
  termMonths?: number;
  repaymentMethod?: 'monthly_interest_bullet' | 'equal_instalment';
  annualRate?: string;
  /** The disbursing bank officer's token (default: bank-a's). */
  bankToken?: string;
  /** The certificate's issue date (default: the wall clock's today); an API whose today is the server's needs the server's. */
  issuedOn?: string;
  /** The applicant's birth date, YYYYMMDD (default 19900101): on a server years ahead, one the age rule admits then. */
  birth?: string;
}

export interface OpenedLoan {
  applicant: Applicant;
  applicationId: string;
  loanId: string;
  disbursedOn: string;
  loan: any;
}

/** An applicant, an application through every officer's step, and a disbursal dated on the server's today. */
export async function openLoan(h: ApiHarness, on: TestWorkflowEnvironment, orgs: DemoOrgs, o: LoanOptions = {}): Promise<OpenedLoan> {
  const amount = o.amount ?? '80000.00';
  const applicant = await newApplicant(h, { issuedOn: o.issuedOn, birth: o.birth });
  const applicationId = await submit(h, applicant, orgs, { requestedAmount: amount, termMonths: o.termMonths ?? 12, repaymentMethod: o.repaymentMethod ?? 'monthly_interest_bullet' });
  const steps: Array<[string, string, unknown]> = [
    ['counter-guarantee', 'community-a', { decision: 'approve', type: 'credit_community', reason: 'good standing' }],
    ['guarantee-review', 'g-reviewer', { recommendation: 'approve', amount, reason: 'sound plan' }],
    ['guarantee-approval', 'g-approver', { decision: 'approve', amount, reason: 'approved' }],
  ];
  for (const [path, user, body] of steps) {
    const r = await h.call('POST', `/v1/applications/${applicationId}/${path}`, { token: await h.login(user), body });
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(200);
  }
  const disbursedOn = await serverToday(on);
  const bankToken = o.bankToken ?? (await h.login('bank-a'));
  const d = await h.call('POST', `/v1/applications/${applicationId}/disbursal`, {
    token: bankToken,
    body: { contractNo: `C-${applicationId.slice(0, 8)}`, amount, annualRate: o.annualRate ?? '0.0435', disbursedOn, bankReference: `D-${applicationId.slice(0, 8)}` },
  });
  expect(d.status, JSON.stringify(d.body)).to.equal(200);
  const loanId = d.body.loanId as string;
  const loan = await h.call('GET', `/v1/loans/${loanId}`, { token: bankToken });
  expect(loan.status, JSON.stringify(loan.body)).to.equal(200);
  return { applicant, applicationId, loanId, disbursedOn, loan: loan.body };
}

export const amountDue = (p: { principal: string; interest: string }) => formatMoney(new Money(p.principal).plus(p.interest));

/** The bank reports period `period` paid in full on `paidOn` (default: its due date, after moving the server there). */
export async function pay(
  h: ApiHarness,
  on: TestWorkflowEnvironment,
  loanId: string,
  period: { period: number; dueOn: string; principal: string; interest: string },
  o: { paidOn?: string; amount?: string; bankToken?: string; expect?: number } = {},
) {
  const paidOn = o.paidOn ?? period.dueOn;
  await skipTo(on, paidOn);
  const r = await h.call('POST', `/v1/loans/${loanId}/repayments`, {
    token: o.bankToken ?? (await h.login('bank-a')),
    body: { period: period.period, amount: o.amount ?? amountDue(period), paidOn, bankReference: `R-${loanId.slice(0, 8)}-${period.period}-${paidOn}-${o.amount ?? 'full'}` },
  });
  expect(r.status, `period ${period.period}: ${JSON.stringify(r.body)}`).to.equal(o.expect ?? 201);
  return r;
}

/** Net movement per ledger account of the entries tagged with this loan (debit-normal sign: debits − credits). */
export async function ledgerOfLoan(db: Knex, loanId: string): Promise<Record<string, string>> {
  const rows = await db('ledger_lines as l')
    .join('ledger_entries as e', 'e.id', 'l.entry_id')
    .join('ledger_accounts as a', 'a.id', 'l.account_id')
    .whereRaw(`e.metadata->>'loanId' = ?`, [loanId])
    .groupBy('a.code')
    .select('a.code', db.raw(`sum(case when l.side = 'debit' then l.amount else -l.amount end)::numeric(20,2) as net`));
  return Object.fromEntries(rows.map((r: { code: string; net: string }) => [r.code, r.net]));
}

/** Debit balances equal credit balances over the whole ledger. */
export async function expectTrialBalance(db: Knex): Promise<void> {
  const tb = await trialBalance(db);
  expect(tb.balanced, `trial balance: debits ${tb.totalDebits} vs credits ${tb.totalCredits}`).to.equal(true);
}

/** The demo guarantee company's guarantee fund, topped up so compensations can be paid from it. */
export async function depositGuaranteeFund(db: Knex, guaranteeCompanyId: string, amount: string, key: string): Promise<void> {
  await postEntry(db, {
    idempotencyKey: key,
    postedOn: '2026-01-01',
    kind: 'guarantee.deposit',
    description: 'Guarantee fund deposit for tests',
    lines: [
      { account: accountCode.guarantor(guaranteeCompanyId, 'guarantee_fund'), side: 'debit', amount },
      { account: accountCode.guarantor(guaranteeCompanyId, 'capital'), side: 'credit', amount },
    ],
  });
}

/** The finance bureau's special fund for a year, created if missing, with `budget` allocated on top. */
export async function fundFor(db: Knex, year: number, budget: string | null, key: string): Promise<string> {
  const bureau = await db('organisations').where({ type: 'finance_bureau' }).orderBy('created_at').first();
  const fund = await openFund(db, { bureauId: bureau.id, year });
  if (budget) await allocateBudget(adminOf(db), { fundId: fund.id, amount: budget, postedOn: `${year}-01-01`, idempotencyKey: key });
  return fund.id;
}


/**
 * Runs `fn` (a submission) while a policy version with `overrides` is in force, then puts the
 * defaults back in force: an application keeps the version of its submission day, so only the
 * applications submitted inside `fn` get these rules.
 */
export async function underPolicy<T>(h: ApiHarness, overrides: Partial<PolicyParams>, fn: () => Promise<T>): Promise<T> {
  const admin = await h.login('admin');
  const effectiveFrom = businessDateOf(Date.now());
  const set = async (params: PolicyParams) => {
    const r = await h.call('POST', '/v1/policies', { token: admin, body: { effectiveFrom, params } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
  };
  await set({ ...defaultPolicyParams, ...overrides } as PolicyParams);
  try {
    return await fn();
  } finally {
    await set({ ...defaultPolicyParams } as PolicyParams);
  }
}
