import type { Knex } from 'knex';
import { hashPassword } from '../../api/auth/passwords';
import { defaultPolicyParams } from '../../domain/policy';
import { addDays } from '../../domain/dates';
import { businessDateOf } from '../../domain/business-day';
import { accountCode, allocateBudget, postEntry } from '../../db/ledger';
import { createFund, decideTopUpProposal, proposeTopUp } from '../../usecases/funds';
import { seedDemoHistory } from './demo-history';
import { seedDemoProgrammes } from './demo-programmes';

export const DEMO_PASSWORD = 'demo';

export const demoOrganisations = [
  { key: 'training', type: 'training_institution', name: 'Changchun Entrepreneurship Training Centre', region: 'Changchun' },
  { key: 'community-a', type: 'community', name: 'Nanguan Credit Community', region: 'Changchun' },
  { key: 'community-b', type: 'community', name: 'Kuancheng Credit Community', region: 'Changchun' },
  { key: 'guarantee', type: 'guarantee_company', name: 'Jilin SME Credit Guarantee Company', region: 'Jilin' },
  { key: 'bank-a', type: 'bank', name: 'Changchun Rural Commercial Bank', region: 'Changchun' },
  { key: 'bank-b', type: 'bank', name: 'Jilin Bank Changchun Branch', region: 'Changchun' },
  { key: 'finance', type: 'finance_bureau', name: 'Changchun Finance Bureau', region: 'Changchun' },
  { key: 'labour', type: 'labour_bureau', name: 'Changchun Human Resources and Social Security Bureau', region: 'Changchun' },
] as const;

type OrgKey = (typeof demoOrganisations)[number]['key'];

export const demoUsers: Array<{ username: string; role: string; org: OrgKey | null; idNumber?: string; name?: string; phone?: string }> = [
  { username: 'trainer', role: 'training_officer', org: 'training' },
  { username: 'community-a', role: 'community_officer', org: 'community-a' },
  { username: 'community-b', role: 'community_officer', org: 'community-b' },
  { username: 'g-reviewer', role: 'guarantee_reviewer', org: 'guarantee' },
  { username: 'g-approver', role: 'guarantee_approver', org: 'guarantee' },
  { username: 'bank-a', role: 'bank_officer', org: 'bank-a' },
  { username: 'bank-b', role: 'bank_officer', org: 'bank-b' },
  { username: 'fin-officer', role: 'finance_officer', org: 'finance' },
  { username: 'fin-approver', role: 'finance_approver', org: 'finance' },
  { username: 'auditor', role: 'auditor', org: 'finance' },
  { username: 'labour', role: 'labour_officer', org: 'labour' },
  { username: 'admin', role: 'admin', org: null },
  // 220102199003070013: a valid GB 11643 number (check digit 3), born 1990-03-07.
  { username: 'applicant', role: 'applicant', org: null, idNumber: '220102199003070013', name: 'Zhang Wei', phone: '13800000000' },
];

/** True when the database has no organisations yet: `npm start` seeds only then. */
export async function isEmpty(db: Knex): Promise<boolean> {
  const row = await db('organisations').count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0) === 0;
}

export const DEMO_CERTIFICATE_NO = 'SYB-2026-0001';
/** The policy version the demo starts with: the defaults of docs/domain.md §3.5, in force since long ago. */
export const DEMO_POLICY_EFFECTIVE_FROM = '2006-01-01';

/** The special fund's budget for the current year, and the guarantee company's guarantee fund. */
export const DEMO_FUND_BUDGET = '5000000.00';
export const DEMO_GUARANTEE_FUND = '10000000.00';

/**
 * Seeds the demo of API.md in one transaction: organisations, users, the default policy
 * version, the applicant's valid certificate (issued 60 days before `today`), the finance
 * bureau's special fund for the current year with its budget, the guarantee company's guarantee
 * fund deposit (what compensations on default are paid from), and the other money programmes'
 * funds, a paid training class and a rewarded incubated enterprise (demo-programmes.ts). With
 * `history`, a year of it too (demo-history.ts: five loans repaid and their businesses' follow-up
 * visits), so every indicator of the report has figures; `npm start` and the CLI's demo seed ask
 * for it, the tests that count what they made do not.
 */
/** Run as the schema's owner: the application's role may not create officers' or admins' accounts. */
export async function seedDemoData(db: Knex, today: string = businessDateOf(new Date()), o: { history?: boolean } = {}): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (trx) => {
    const orgIds = new Map<string, string>();
    for (const o of demoOrganisations) {
      const [row] = await trx('organisations').insert({ type: o.type, name: o.name, region: o.region }).returning('id');
      orgIds.set(o.key, row.id);
    }
    for (const u of demoUsers) {
      await trx('users').insert({
        username: u.username,
        password_hash: passwordHash,
        role: u.role,
        org_id: u.org ? orgIds.get(u.org) : null,
        id_number: u.idNumber ?? null,
        name: u.name ?? null,
        phone: u.phone ?? null,
      });
    }
    const admin = await trx('users').where({ username: 'admin' }).first();
    await trx('policies').insert({ effective_from: DEMO_POLICY_EFFECTIVE_FROM, params: JSON.stringify(defaultPolicyParams), created_by: admin.id });
    const trainer = await trx('users').where({ username: 'trainer' }).first();
    const applicant = demoUsers.find((u) => u.username === 'applicant')!;
    await trx('certificates').insert({
      certificate_no: DEMO_CERTIFICATE_NO,
      institution_id: orgIds.get('training'),
      holder_id_number: applicant.idNumber,
      holder_name: applicant.name,
      course: 'SYB',
      issued_on: addDays(today, -60),
      registered_by: trainer.id,
    });
    const year = Number(today.slice(0, 4));
    // The fund is opened and its budget allocated as finance does it: the officer opens it and
    // proposes the budget, the approver approves (maker–checker).
    const finance = async (username: string) => {
      const u = await trx('users').where({ username }).first();
      return { userId: u.id as string, username, role: u.role as string, orgId: u.org_id as string };
    };
    const [officer, approver] = [await finance('fin-officer'), await finance('fin-approver')];
    const deps = { db: trx as unknown as Knex, now: () => new Date(`${today}T04:00:00Z`) };
    const fund = await createFund(deps, { programme: 'interest_subsidy', year, name: `SME development special fund ${year}`, actor: officer, requestId: null });
    const proposal = await proposeTopUp(deps, { fundId: fund.id, amount: DEMO_FUND_BUDGET, reason: `Budget ${year}`, actor: officer, requestId: null });
    await decideTopUpProposal(deps, { fundId: fund.id, proposalId: proposal.id, decision: 'approve', actor: approver, requestId: null, today });
    const guarantor = orgIds.get('guarantee')!;
    await postEntry(trx, {
      idempotencyKey: `demo:guarantor:${guarantor}:deposit`,
      postedOn: today,
      kind: 'guarantee.deposit',
      description: 'Guarantee fund deposit',
      lines: [
        { account: accountCode.guarantor(guarantor, 'guarantee_fund'), side: 'debit', amount: DEMO_GUARANTEE_FUND },
        { account: accountCode.guarantor(guarantor, 'capital'), side: 'credit', amount: DEMO_GUARANTEE_FUND },
      ],
    });
    await seedDemoProgrammes(trx, today, { applicant: { idNumber: applicant.idNumber!, name: applicant.name!, certificateNo: DEMO_CERTIFICATE_NO } });
    if (o.history) await seedDemoHistory(trx, today);
  });
}
