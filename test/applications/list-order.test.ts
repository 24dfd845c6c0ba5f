import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { testEnv } from '../support/env';
import { applicationListQueries, type Viewer } from '../../db/repositories/applications';

/**
 * A page of GET /v1/applications is read from an index in the list's order, not by sorting every
 * row the caller may see: with sorting made prohibitively dear to the planner, the plan of each
 * scope's page still has no Sort (docs/api.md, "Performance").
 */
describe('the applications list reads a page from an index', () => {
  const scopes: Array<[string, Viewer]> = [
    ['finance (every application)', { id: randomUUID(), role: 'finance_officer', orgId: null }],
    ['an applicant', { id: randomUUID(), role: 'applicant', orgId: null }],
    ['a community', { id: randomUUID(), role: 'community_officer', orgId: randomUUID() }],
    ['a guarantee company', { id: randomUUID(), role: 'guarantee_reviewer', orgId: randomUUID() }],
  ];
  for (const [who, viewer] of scopes) {
    it(`for ${who}`, async () => {
      const { db } = await testEnv();
      const { page } = applicationListQueries(db, viewer, { page: 3, pageSize: 10 });
      const sql = page.toSQL().toNative();
      const plan = await db.transaction(async (trx) => {
        await trx.raw('set local enable_sort = off');
        await trx.raw('set local enable_seqscan = off');
        const r = await trx.raw(`explain (format json) ${sql.sql.replace(/\$(\d+)/g, '?')}`, sql.bindings as never);
        return JSON.stringify(r.rows[0]['QUERY PLAN']);
      });
      expect(plan).to.not.match(/"Node Type":"(Sort|Incremental Sort)"/);
      expect(plan).to.match(/applications_\w*newest_index/);
    });
  }
});
