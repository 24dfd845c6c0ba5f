import { expect } from 'chai';
import { useApiSuite } from '../support/api';
import { submitNew, submit, advance, today } from '../applications/helpers';
import { addDays } from '../../domain/dates';

describe('The audit trail (GET /v1/audit-log)', () => {
  const s = useApiSuite();

  it("lists one application's decisions with who, role, when and why, filtered by record, person, action and date", async () => {
    const { h, orgs } = s;
    const { a, id } = await submitNew(h, orgs);
    await advance(h, id, 'guarantee-review');
    const auditor = await h.login('auditor');
    const list = async (query: string) => {
      const r = await h.call('GET', `/v1/audit-log?${query}`, { token: auditor });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body as { items: Array<Record<string, any>>; total: number; page: number; pageSize: number };
    };

    const trail = await list(`entityType=application&entityId=${id}`);
    // Newest first: the review, the counter-guarantee, the intake, the submission.
    expect(trail.items.map((e) => e.action)).to.deep.equal(['guarantee_review.approve', 'counter_guarantee.approve', 'application.intake_pass', 'application.submit']);
    expect(trail.total).to.equal(4);
    const review = trail.items[0]!;
    expect(review).to.deep.include({ entityType: 'application', entityId: id, reason: 'sound plan' });
    expect(review.actor).to.include({ username: 'g-reviewer', role: 'guarantee_reviewer', orgId: orgs.guarantee });
    expect(review.payload).to.include({ recommendation: 'approve' });
    expect(Date.parse(review.at)).to.be.closeTo(Date.now(), 120_000);
    expect(trail.items[2]!.actor).to.include({ username: 'system' });
    expect(trail.items[3]!.actor).to.include({ username: a.username, role: 'applicant' });

    // By person and action (an action's first part finds all of its kind).
    const mine = await list(`actor=community-a&action=counter_guarantee&entityId=${id}`);
    expect(mine.items.map((e) => e.action)).to.deep.equal(['counter_guarantee.approve']);
    expect((await list(`action=counter_guarantee.approve&entityId=${id}`)).total).to.equal(1);
    expect((await list(`action=counter_guarantee.ap&entityId=${id}`)).total, 'no partial word').to.equal(0);
    expect((await list(`action=_ounter%25&entityId=${id}`)).total, 'wildcards are literal').to.equal(0);

    // By business date (China time), both ends inclusive; paged.
    expect((await list(`from=${today()}&to=${today()}&entityId=${id}`)).total).to.equal(4);
    expect((await list(`to=${addDays(today(), -1)}&entityId=${id}`)).total).to.equal(0);
    const page2 = await list(`entityId=${id}&pageSize=3&page=2`);
    expect(page2).to.include({ total: 4, page: 2, pageSize: 3 });
    expect(page2.items.map((e) => e.action)).to.deep.equal(['application.submit']);
  });

  it('is for the auditor only, and refuses bad filters naming them, writing nothing', async () => {
    const { h } = s;
    for (const who of ['admin', 'fin-officer', 'g-approver', 'applicant']) {
      expect((await h.call('GET', '/v1/audit-log', { token: await h.login(who) })).status, who).to.equal(403);
    }
    expect((await h.call('GET', '/v1/audit-log')).status).to.equal(401);
    const auditor = await h.login('auditor');
    const bad = async (query: string, path: string) => {
      const r = await h.call('GET', `/v1/audit-log?${query}`, { token: auditor });
      expect(r.status, query).to.equal(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path), query).to.include(path);
    };
    await bad('entityType=ledger', 'entityType');
    await bad('from=2027-02-30', 'from');
    await bad('from=2027-03-02&to=2027-03-01', 'to');
    await bad('pageSize=0', 'pageSize');
    await bad('actor=', 'actor');
    await bad('who=me', 'who');
  });
});
