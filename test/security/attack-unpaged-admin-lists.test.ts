import { expect } from 'chai';
import type { Knex } from 'knex';
import { adminOf, testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';

/**
 * The admin's lists (policy versions, organisations, accounts) grow with every registration and
 * were answered whole. Each is a page like every other list: 50 by default, 200 at most, with the
 * total; a pageSize over the cap is 400 naming it.
 */
describe('attack: admin lists with no page', function () {
  let db: Knex;
  let h: ApiHarness;
  const ROWS = 260;

  before(async function () {
    this.timeout(120_000);
    const env = await testEnv();
    db = (await env.newDatabase('attack_admin_lists', { seed: true })).db;
    h = await startApi({ ...env, db }, { runWorker: false });
    // Written by the schema's owner, to be quick: more rows than the largest page of each list.
    const owner = adminOf(db);
    const admin = await owner('users').where({ username: 'admin' }).first();
    const policy = await owner('policies').orderBy('seq', 'desc').first();
    const orgs = await owner('organisations').insert(Array.from({ length: ROWS }, (_, i) => ({ type: 'community', name: `Paged community ${String(i).padStart(3, '0')}`, region: 'Nanguan' }))).returning('id');
    await owner('users').insert(orgs.map((o: { id: string }, i: number) => ({ username: `paged-${i}`, password_hash: admin.password_hash, role: 'community_officer', org_id: o.id })));
    await owner('policies').insert(Array.from({ length: ROWS }, (_, i) => ({ effective_from: `20${10 + (i % 10)}-01-${String(1 + (i % 28)).padStart(2, '0')}`, params: JSON.stringify(policy.params), created_by: admin.id })));
  });
  after(async () => {
    await h?.close();
    await db?.destroy();
  });

  for (const [path, as] of [['/v1/policies', 'admin'], ['/v1/organisations', 'community-a'], ['/v1/users', 'auditor']] as const) {
    it(`GET ${path} answers a page of 50 by default, the total, and every row a page at a time`, async () => {
      const token = await h.login(as);
      const first = await h.call('GET', path, { token });
      expect(first.status, JSON.stringify(first.body).slice(0, 300)).to.equal(200);
      expect(first.body.items).to.have.length(50);
      expect(first.body.total).to.be.above(ROWS);
      const seen = new Set<string>();
      for (let page = 1; (page - 1) * 200 < first.body.total; page++) {
        const r = await h.call('GET', `${path}?page=${page}&pageSize=200`, { token });
        expect(r.status).to.equal(200);
        expect(r.body.items.length).to.be.at.most(200);
        for (const item of r.body.items) seen.add(item.id);
      }
      expect(seen.size, 'every row once, across the pages').to.equal(first.body.total);
    });

    it(`GET ${path} with a pageSize over 200 is 400 naming pageSize`, async () => {
      const r = await h.call('GET', `${path}?pageSize=201`, { token: await h.login(as) });
      expect(r.status).to.equal(400);
      expect(JSON.stringify(r.body.error ?? r.body)).to.contain('pageSize');
    });
  }
});
