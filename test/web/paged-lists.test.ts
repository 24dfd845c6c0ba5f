/**
 * Lists that grow with the years are paged on screen as in the API: a fund's top-up proposals show
 * 20 at a time with their total, and the next page shows the rest; a task opens its proposal
 * wherever it is in the list. A database of its own: it leaves pending proposals behind.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { openPrivateSuite, type ApiHarness } from '../support/api';
import { openFund } from '../support/funds';
import { openConsole, closeConsole, as, decideWithReason, type Browser } from './browser';

describe('Web console (zh-CN): long lists come a page at a time, with their total', function () {
  this.timeout(300_000);
  let db: Knex, h: ApiHarness, b: Browser;
  const card = (page: Page, title: string) => page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  before(async function () {
    ({ db, h, b } = await openConsole(() => openPrivateSuite('web_paging')));
  });
  after(() => closeConsole({ b, h }));

  let fundId: string;

  it("a fund's 23 top-up proposals: 20 on the first page, 共 23 条, the other 3 on the second", async () => {
    const bureau = (await db('organisations').where({ type: 'finance_bureau' }).orderBy('name').first()).id as string;
    const fund = await openFund(db, { bureauId: bureau, year: 2034, name: '分页测试资金' });
    fundId = fund.id;
    const officer = await h.login('fin-officer');
    for (let i = 1; i <= 23; i++) {
      const r = await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: officer, body: { amount: `${i}000.00`, reason: `追加第 ${i} 笔` }, headers: { 'Idempotency-Key': `paging-${i}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }

    const page = await as(b, 'fin-officer', 'demo', '/funds');
    const proposals = card(page, '追加预算提议').filter({ hasText: '追加第' });
    const rows = proposals.locator('.ant-table-tbody tr.ant-table-row');
    await proposals.getByText('共 23 条').waitFor();
    expect(await rows.count()).to.equal(20);
    await proposals.locator('.ant-pagination-item-2').click();
    // The second page replaces the first: no fourth row, then its rows.
    await rows.nth(3).waitFor({ state: 'detached' });
    await rows.first().waitFor();
    expect(await rows.count()).to.equal(3);
    await proposals.getByText('追加第 1 笔', { exact: true }).waitFor();
  });

  it('the approver opens the oldest proposal from 我的待办: it is on the second page, shown above the list, and decided there', async () => {
    const page = await as(b, 'fin-approver', 'demo', '/tasks');
    await page.getByRole('row').filter({ hasText: '追加第 1 笔' }).getByRole('link', { name: /办理/ }).click();
    const linked = card(page, '待办事项所指的提议');
    await linked.getByText('追加第 1 笔', { exact: true }).waitFor();
    await decideWithReason(page, linked.locator('.ant-table-expanded-row'), '同意追加第 1 笔', 'top-up-linked', /审\s?批/);
    await linked.getByText('已同意').waitFor();
    const first = (await h.call('GET', `/v1/funds/${fundId}/top-ups?page=2&pageSize=20`, { token: await h.login('auditor') })).body.items;
    expect(first.find((p: { reason: string }) => p.reason === '追加第 1 笔')).to.include({ status: 'approved', decidedBy: 'fin-approver' });
  });
});
