import { expect } from 'chai';
import { useApiSuite, newApplicant, startApi } from '../support/api';
import { submitNew, submit, advance } from './helpers';

const DAY = 86_400_000;

describe('My tasks (GET /v1/tasks) and application search', () => {
  const s = useApiSuite();

  it('lists the applications waiting for my step, with the deadline and half-time reminder of their policy', async () => {
    const { h, orgs } = s;
    const { a, id } = await submitNew(h, orgs);
    const mine = await h.call('GET', '/v1/tasks?pageSize=200', { token: await h.login('community-a') });
    expect(mine.status).to.equal(200);
    const task = mine.body.items.find((t: { applicationId: string }) => t.applicationId === id);
    expect(task, 'community-a sees the counter-guarantee').to.include({ kind: 'application', status: 'AWAITING_COUNTER_GUARANTEE', name: a.name, stepDays: 10, overdue: false, reminderDue: false });
    const app = (await h.call('GET', `/v1/applications/${id}`, { token: a.token })).body;
    expect(task.deadline).to.equal(app.stepDeadline);
    expect(Date.parse(task.deadline) - Date.parse(task.reminderAt)).to.equal(5 * DAY);

    for (const other of ['community-b', 'g-reviewer', 'bank-a', 'auditor', 'fin-officer']) {
      const r = await h.call('GET', '/v1/tasks?pageSize=200', { token: await h.login(other) });
      expect(r.status, other).to.equal(200);
      expect(r.body.items.map((t: { applicationId: string }) => t.applicationId), other).not.to.include(id);
    }
    expect((await h.call('GET', '/v1/tasks', { token: a.token })).body).to.include({ total: 0 });
  });

  it('puts overdue ones first and marks the reminder due at half time', async () => {
    const { h, orgs, env } = s;
    const { a, id } = await submitNew(h, orgs);
    const b = await newApplicant(h);
    const later = await submit(h, b, orgs);
    // The first one is due first; look at the list at times around its deadline.
    const deadline = (await env.db('applications').where({ id }).first()).step_deadline_at as Date;
    const at = (days: number) => () => new Date(deadline.getTime() + days * DAY);
    const view = async (now: () => Date) => {
      const h2 = await startApi(env, { runWorker: false, now });
      try {
        return (await h2.call('GET', '/v1/tasks?pageSize=200', { token: await h2.login('community-a') })).body.items as Array<Record<string, unknown>>;
      } finally {
        await h2.close();
      }
    };
    const halfway = (await view(at(-4.9))).find((t) => t.applicationId === id)!;
    expect(halfway).to.include({ reminderDue: true, overdue: false });
    const notYet = (await view(at(-5.1))).find((t) => t.applicationId === id)!;
    expect(notYet).to.include({ reminderDue: false, overdue: false });
    const after = await view(at(0.5));
    const ids = after.map((t) => t.applicationId);
    expect(ids.indexOf(id)).to.be.lessThan(ids.indexOf(later));
    expect(after.find((t) => t.applicationId === id)).to.include({ overdue: true });
    // Deadlines ascend, so every overdue task precedes every task still in time.
    const flags = after.map((t) => t.overdue);
    expect(flags.indexOf(false) === -1 || flags.lastIndexOf(true) < flags.indexOf(false)).to.equal(true);
  });

  it("shows the approver who reviewed (maker-checker)", async () => {
    const { h, orgs } = s;
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'guarantee-review');
    const r = await h.call('GET', '/v1/tasks?pageSize=200', { token: await h.login('g-approver') });
    expect(r.body.items.find((t: { applicationId: string }) => t.applicationId === id)).to.include({ reviewedBy: 'g-reviewer', recommendedAmount: '80000.00' });
  });

  it('searches applications by id, its first 8 characters, ID number or part of the name, as visible', async () => {
    const { h, orgs } = s;
    const { a, id } = await submitNew(h, orgs);
    const officer = await h.login('community-a');
    const find = async (q: string, token = officer) => {
      const r = await h.call('GET', `/v1/applications?q=${encodeURIComponent(q)}`, { token });
      expect(r.status, q).to.equal(200);
      return r.body.items.map((x: { id: string }) => x.id) as string[];
    };
    expect(await find(id)).to.deep.equal([id]);
    expect(await find(id.slice(0, 8).toUpperCase())).to.include(id);
    expect(await find(a.idNumber.toLowerCase())).to.deep.equal([id]);
    expect(await find(a.name.slice(-6))).to.include(id);
    expect(await find('%')).not.to.include(id);
    expect(await find(a.name, await h.login('community-b'))).to.deep.equal([]);
    const bad = await h.call('GET', `/v1/applications?q=${'x'.repeat(101)}`, { token: officer });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('q');
  });
});
