import { expect } from 'chai';
import type { ApiHarness } from '../support/api';

/** The house rule for lists: a page with a cap (200), never every row in one answer. */
export const MAX_PAGE = 200;

/** Reads `path` as the auditor and expects at most a page of `what` in the answer. */
export async function expectAtMostAPage(h: ApiHarness, path: string, what: string): Promise<void> {
  const r = await h.call('GET', path, { token: await h.login('auditor') });
  expect(r.status).to.equal(200);
  const items = Array.isArray(r.body) ? r.body : r.body.items;
  expect(items.length, `${items.length} ${what} in one answer`).to.be.at.most(MAX_PAGE);
}
