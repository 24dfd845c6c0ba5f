/**
 * The budget forecast screen (预算测算) in a browser: a finance officer reads the forecast per
 * quarter with its chart and band, runs a what-if beside today's rules and saves it; the auditor
 * reads the same screen and is offered no saving. Every screen passes axe (no serious or critical
 * violation).
 */
import { expect } from 'chai';
import { newApplicant } from '../support/api';
import { advance, submit } from '../applications/helpers';
import { useConsole, as, screen } from './browser';

describe('Web console (zh-CN): the budget forecast and the policy what-if', function () {
  this.timeout(300_000);
  const s = useConsole(async (s) => advance(s.h, await submit(s.h, await newApplicant(s.h), s.orgs), 'disbursal', '80000.00'));

  it('a finance officer reads the forecast with its band, runs a what-if beside today’s rules and saves it', async () => {
    const page = await as(s.b, 'fin-officer', 'demo', '/forecast');
    await page.getByRole('heading', { name: '贴息预算测算' }).waitFor();
    await page.getByRole('figure', { name: '各季度贴息：计划、预期与 P10–P90 区间' }).waitFor();
    const api = await s.h.call('GET', '/v1/forecasts/subsidy?quarters=8', { token: await s.h.login('fin-officer') });
    const q = api.body.byQuarter[1];
    const row = page.getByRole('row').filter({ hasText: q.quarter }).first();
    await row.waitFor();
    // Money as the server computed it, regrouped as text.
    const yuan = (v: string) => `¥${v.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
    expect(await row.textContent()).to.contain(yuan(q.scheduled)).and.contain(`${yuan(q.p10)} – ${yuan(q.p90)}`);
    await page.getByRole('heading', { name: '担保放大倍数' }).waitFor();
    await screen(page, 'forecast');

    await page.getByLabel('贴息比例').fill('0.5');
    await page.getByRole('radio', { name: '在贷贷款重新计算' }).check();
    await page.getByRole('button', { name: /^测\s?算$/ }).click();
    await page.getByRole('figure', { name: '预期贴息：现行政策与调整后对比' }).waitFor();
    await page.getByRole('columnheader', { name: '调整后' }).first().waitFor();
    const w = await s.h.call('POST', '/v1/forecasts/what-if', { token: await s.h.login('fin-officer'), body: { params: { subsidyShare: '0.5' }, scope: 'reprice_open_loans', quarters: 8 } });
    const side = w.body.byQuarter[1];
    expect(await page.getByRole('row').filter({ hasText: side.quarter }).last().textContent()).to.contain(yuan(side.expected.scenario));
    await screen(page, 'forecast-what-if');

    const name = `减半贴息 ${Date.now().toString(36)}`;
    await page.getByLabel('方案名称').fill(name);
    await page.getByRole('button', { name: /^保\s?存$/ }).click();
    await page.getByRole('row').filter({ hasText: name }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: name }).textContent()).to.contain('fin-officer').and.contain('"subsidyShare":"0.5"');
  });

  it('a what-if the rules refuse says why beside the field', async () => {
    const page = await as(s.b, 'fin-approver', 'demo', '/forecast');
    await page.getByLabel('担保额度下限').fill('200000.00');
    await page.getByRole('button', { name: /^测\s?算$/ }).click();
    await page.getByText('must not be greater than guaranteeMax').waitFor();
  });

  it('the auditor reads the forecast and the saved scenarios, and is offered no saving', async () => {
    const page = await as(s.b, 'auditor', 'demo', '/forecast');
    await page.getByRole('heading', { name: '贴息预算测算' }).waitFor();
    await page.getByRole('heading', { name: '已保存的测算方案' }).waitFor();
    await page.getByRole('button', { name: /^测\s?算$/ }).click();
    await page.getByRole('figure', { name: '预期贴息：现行政策与调整后对比' }).waitFor();
    expect(await page.getByLabel('方案名称').count()).to.equal(0);
    await screen(page, 'forecast-auditor');
  });
});
