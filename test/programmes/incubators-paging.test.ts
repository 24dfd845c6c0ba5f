import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { closeSuite, openPrivateSuite, type ApiHarness } from '../support/api';

const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

/**
 * The incubators' list carries each incubator's counts, never its enterprises, however many it
 * holds; the incubator's own GET gives its enterprises a page at a time (docs/programmes.md).
 */
describe('incubators: counts in the list, enterprises a page at a time', function () {
  let db: Knex, h: ApiHarness, officer: string, auditor: string, incubatorId: string;

  before(async function () {
    this.timeout(120_000);
    ({ db, h } = await openPrivateSuite('incubator_pages', { runWorker: false }));
    officer = await h.login('fin-officer');
    auditor = await h.login('auditor');
    const inc = await h.call('POST', '/v1/incubators', { token: officer, body: { name: '南关区创业孵化基地', operatorName: '南关创业服务有限公司', operatorCreditCode: creditCode(), region: 'Changchun' } });
    expect(inc.status, JSON.stringify(inc.body)).to.equal(201);
    expect(inc.body).to.include({ enterpriseCount: 0, incubatingCount: 0 });
    incubatorId = inc.body.id;
    for (const [name, graduatedOn] of [['Alpha Tech', undefined], ['Beta Tech', '2025-06-30'], ['Gamma Tech', undefined]] as const) {
      const e = await h.call('POST', `/v1/incubators/${incubatorId}/enterprises`, { token: officer, body: { name, creditCode: creditCode(), enteredOn: '2024-01-10', ...(graduatedOn ? { graduatedOn } : {}) } });
      expect(e.status, JSON.stringify(e.body)).to.equal(201);
    }
  });
  after(() => closeSuite({ h, db }));

  it('lists each incubator with how many enterprises it holds and how many are still incubated', async () => {
    const r = await h.call('GET', '/v1/incubators', { token: auditor });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const item = r.body.items.find((i: { id: string }) => i.id === incubatorId);
    expect(item).to.deep.equal({ id: incubatorId, name: '南关区创业孵化基地', operatorName: '南关创业服务有限公司', operatorCreditCode: item.operatorCreditCode, region: 'Changchun', enterpriseCount: 3, incubatingCount: 2 });
  });

  it('gives an incubator’s enterprises a page at a time, by name', async () => {
    const first = await h.call('GET', `/v1/incubators/${incubatorId}?pageSize=2`, { token: auditor });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.include({ id: incubatorId, enterpriseCount: 3, incubatingCount: 2, enterprisesPage: 1, enterprisesPageSize: 2 });
    expect(first.body.enterprises.map((e: { name: string }) => e.name)).to.deep.equal(['Alpha Tech', 'Beta Tech']);
    const second = await h.call('GET', `/v1/incubators/${incubatorId}?page=2&pageSize=2`, { token: auditor });
    expect(second.body.enterprises.map((e: { name: string; graduatedOn: string | null }) => [e.name, e.graduatedOn])).to.deep.equal([['Gamma Tech', null]]);
    expect((await h.call('GET', `/v1/incubators/${incubatorId}?pageSize=201`, { token: auditor })).body.error.details[0].path).to.equal('pageSize');
    expect((await h.call('GET', `/v1/incubators/${randomUUID()}`, { token: auditor })).status).to.equal(404);
    expect((await h.call('GET', `/v1/incubators/${incubatorId}`, { token: await h.login('bank-a') })).status).to.equal(403);
  });

  it('answers the list in the same few bytes whatever an incubator holds', async () => {
    const before = (await (await fetch(`${h.url}/v1/incubators`, { headers: { authorization: `Bearer ${auditor}` } })).text()).length;
    const officerId = (await db('users').where({ username: 'fin-officer' }).first()).id;
    await db('incubated_enterprises').insert(
      Array.from({ length: 500 }, (_, i) => ({ incubator_id: incubatorId, name: `Bulk enterprise ${i}`, credit_code: `91220101MC${String(i).padStart(8, '0')}`, entered_on: '2024-02-01', registered_by: officerId })),
    );
    const after = await (await fetch(`${h.url}/v1/incubators`, { headers: { authorization: `Bearer ${auditor}` } })).text();
    expect(after.length - before, 'bytes the list grew by for 500 enterprises').to.be.at.most(10);
    expect(JSON.parse(after).items.find((i: { id: string }) => i.id === incubatorId)).to.include({ enterpriseCount: 503, incubatingCount: 502 });
  });
});
