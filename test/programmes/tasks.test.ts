import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { closeSuite, newApplicant, openPrivateSuite, type ApiHarness } from '../support/api';

const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

/**
 * My tasks for the programmes (docs/programmes.md): a training claim waits for the labour officer's
 * check, then for a finance approver's approval; an incubator reward for the finance officer's
 * check, then for the approver. Each shows in the task list of who must act next, and nowhere once
 * decided.
 */
describe('my tasks: training claims and incubator rewards', function () {
  this.timeout(240_000);
  let db: Knex;
  let h: ApiHarness;
  before(async function () {
    ({ db, h } = await openPrivateSuite('programmes_tasks'));
  });
  after(() => closeSuite({ h, db }));

  const tasksOf = async (username: string, kind: string) => {
    const r = await h.call('GET', '/v1/tasks?pageSize=200', { token: await h.login(username) });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.items.filter((t: { kind: string }) => t.kind === kind);
  };
  const ids = (items: Array<{ claimId: string }>) => items.map((t) => t.claimId);

  it('a training claim: the labour officer’s to check, then the approver’s; gone once paid', async () => {
    const trainee = await newApplicant(h);
    const classRef = `SYB-TASK-${randomUUID().slice(0, 8)}`;
    const filed = await h.call('POST', '/v1/training-claims', {
      token: await h.login('trainer'),
      body: { part: 'base', course: 'SYB', classRef, enrolled: 1, trainees: [{ certificateNo: trainee.certificateNo, idNumber: trainee.idNumber, name: trainee.name }] },
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const id = filed.body.id as string;

    const labour = await tasksOf('labour', 'training_claim');
    expect(labour.find((t: { claimId: string }) => t.claimId === id)).to.deep.include({ status: 'FILED', classRef, course: 'SYB', part: 'base', amount: '600.00', checkedBy: null });
    expect(ids(await tasksOf('fin-officer', 'training_claim')), 'not the finance officer’s to check').to.not.include(id);
    expect(ids(await tasksOf('fin-approver', 'training_claim')), 'not yet the approver’s').to.not.include(id);

    expect((await h.call('POST', `/v1/training-claims/${id}/check`, { token: await h.login('labour'), body: { decision: 'accept' } })).status).to.equal(200);
    expect(ids(await tasksOf('labour', 'training_claim'))).to.not.include(id);
    const approver = await tasksOf('fin-approver', 'training_claim');
    expect(approver.find((t: { claimId: string }) => t.claimId === id)).to.deep.include({ status: 'CHECKED', checkedBy: 'labour' });

    expect((await h.call('POST', `/v1/training-claims/${id}/approval`, { token: await h.login('fin-approver'), body: { decision: 'approve' } })).body.status).to.equal('PAID');
    expect(ids(await tasksOf('fin-approver', 'training_claim'))).to.not.include(id);
  });

  it('an incubator reward: the finance officer’s to check, then the approver’s; other roles never see it', async () => {
    const officer = await h.login('fin-officer');
    const incubator = await h.call('POST', '/v1/incubators', {
      token: officer,
      body: { name: `孵化基地 ${randomUUID().slice(0, 6)}`, operatorName: '运营主体有限公司', operatorCreditCode: creditCode(), region: 'Changchun' },
    });
    const year = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
    const enterprise = await h.call('POST', `/v1/incubators/${incubator.body.id}/enterprises`, {
      token: officer,
      body: { name: `在孵企业 ${randomUUID().slice(0, 6)}`, creditCode: creditCode(), enteredOn: `${year - 1}-02-01` },
    });
    const filed = await h.call('POST', '/v1/incubator-rewards', {
      token: officer,
      body: { enterpriseId: enterprise.body.id, kind: 'high_tech', documentNo: 'GR-TASK-1', eventOn: `${year - 1}-09-01` },
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const id = filed.body.id as string;

    const mine = await tasksOf('fin-officer', 'incubator_reward');
    expect(mine.find((t: { claimId: string }) => t.claimId === id)).to.deep.include({
      status: 'FILED', eventKind: 'high_tech', amountEach: '100000.00', enterpriseName: enterprise.body.name, incubatorName: incubator.body.name,
    });
    expect(ids(await tasksOf('labour', 'incubator_reward'))).to.deep.equal([]);
    expect(ids(await tasksOf('fin-approver', 'incubator_reward'))).to.not.include(id);

    expect((await h.call('POST', `/v1/incubator-rewards/${id}/check`, { token: officer, body: { decision: 'accept' } })).status).to.equal(200);
    expect(ids(await tasksOf('fin-officer', 'incubator_reward'))).to.not.include(id);
    expect((await tasksOf('fin-approver', 'incubator_reward')).find((t: { claimId: string }) => t.claimId === id)).to.deep.include({ status: 'CHECKED', checkedBy: 'fin-officer' });
    for (const other of ['trainer', 'bank-a', 'auditor']) expect(await tasksOf(other, 'incubator_reward'), other).to.deep.equal([]);
  });
});
