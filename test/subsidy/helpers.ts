import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { openLoan, pay, skipTo, type OpenedLoan } from '../loans/helpers';
import { addDays, quarterBounds } from '../../domain/dates';
import type { Role } from '../../domain/enums';

export interface NewOrg {
  orgId: string;
  /** Usernames by role; password "demo" like the demo users. */
  users: Partial<Record<Role, string>>;
}

/**
 * An organisation of its own with officers made through the admin API: claims are per bank and
 * quarter and funds per bureau and year, so a test that needs "this bank's claim" or "a small
 * budget" gets a bank or a bureau nobody else uses.
 */
export async function newOrg(h: ApiHarness, db: Knex, type: 'bank' | 'finance_bureau', roles: Role[]): Promise<NewOrg> {
  const tag = randomUUID().slice(0, 8);
  const [org] = await db('organisations').insert({ type, name: `${type} ${tag}`, region: 'Changchun' }).returning('id');
  const admin = await h.login('admin');
  const users: NewOrg['users'] = {};
  for (const role of roles) {
    const username = `${role.replace('_', '-')}-${tag}`;
    const r = await h.call('POST', '/v1/users', { token: admin, body: { username, password: 'demo-password', role, orgId: org.id } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    users[role] = username;
  }
  return { orgId: org.id, users };
}

export const login = (h: ApiHarness, username: string) => h.login(username, 'demo-password');

/** A loan of `bank` with its periods in `quarter` paid on their due dates, except those listed late (paid 5 days late). */
export async function loanPaidThrough(
  h: ApiHarness,
  on: TestWorkflowEnvironment,
  orgs: DemoOrgs,
  bankUser: string,
  o: { termMonths?: number; late?: number[]; payPeriods?: number } = {},
): Promise<OpenedLoan & { periods: any[] }> {
  const token = await login(h, bankUser);
  const opened = await openLoan(h, on, orgs, { termMonths: o.termMonths ?? 6, bankToken: token });
  const periods = opened.loan.schedule.slice(0, o.payPeriods ?? opened.loan.schedule.length);
  for (const p of periods) {
    const late = o.late?.includes(p.period);
    await pay(h, on, opened.loanId, p, { bankToken: token, ...(late ? { paidOn: addDays(p.dueOn, 5) } : {}) });
  }
  return { ...opened, periods };
}

/** The first day a quarter's claims may be filed. */
export const claimsOpen = (quarter: string) => addDays(quarterBounds(quarter).end, 1);

export async function skipPastQuarter(on: TestWorkflowEnvironment, quarter: string, extraDays = 0): Promise<void> {
  await skipTo(on, addDays(claimsOpen(quarter), extraDays));
}
