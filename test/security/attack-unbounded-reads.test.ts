import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';

/**
 * Reads a caller can make grow without bound (the house rule: a page size with a cap, no list of
 * everything). The registries and saved scenarios grow by the API's own writes; here the rows are
 * written straight as the application role, 250 of each, to be quick.
 */
describe('attack: lists with no page', function () {
  let db: Knex;
  let h: ApiHarness;
  const MAX_PAGE = 200;

  before(async function () {
    this.timeout(120_000);
    const env = await testEnv();
    db = (await env.newDatabase('attack_unbounded', { seed: true })).db;
    h = await startApi({ ...env, db }, { runWorker: false });
  });
  after(async () => {
    await h?.close();
    await db?.destroy();
  });

  it('GET /v1/incubators answers at most a page, whatever the registry holds', async () => {
    const officer = await db('users').where({ username: 'fin-officer' }).first();
    const code = (i: number) => `91220101MB${String(i).padStart(8, '0')}`;
    await db('incubators').insert(
      Array.from({ length: 250 }, (_, i) => ({ name: `Attack incubator ${i}`, operator_name: 'op', operator_credit_code: code(i), region: 'Changchun', registered_by: officer.id })),
    );
    const r = await h.call('GET', '/v1/incubators', { token: await h.login('auditor') });
    expect(r.status).to.equal(200);
    const items = Array.isArray(r.body) ? r.body : r.body.items;
    expect(items.length, `${items.length} incubators in one answer, each with every enterprise`).to.be.at.most(MAX_PAGE);
  });

  it('GET /v1/forecasts/scenarios answers at most a page, whatever was saved', async () => {
    const admin = await db('users').where({ username: 'admin' }).first();
    await db('forecast_scenarios').insert(Array.from({ length: 250 }, (_, i) => ({ name: `Attack scenario ${i}`, params: {}, scope: 'new_loans_only', saved_by: admin.id })));
    const r = await h.call('GET', '/v1/forecasts/scenarios', { token: await h.login('auditor') });
    expect(r.status).to.equal(200);
    const items = Array.isArray(r.body) ? r.body : r.body.items;
    expect(items.length, `${items.length} scenarios in one answer`).to.be.at.most(MAX_PAGE);
  });
});
