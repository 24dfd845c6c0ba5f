/**
 * Files the console downloads (the indicator report, the forecast, the what-if) when the API
 * refuses them: nothing is saved, an ended session goes through the sign-in page and back, a
 * refusal shows the API's own message.
 */
import { expect } from 'chai';
import type { Download, Page } from 'playwright-core';
import { useConsole, as } from './browser';

describe('Web console (zh-CN): downloads the API refuses', function () {
  this.timeout(300_000);
  const s = useConsole();

  /** Every file the page saves from now on. */
  const saved = (page: Page) => {
    const files: Download[] = [];
    page.on('download', (d) => files.push(d));
    return files;
  };
  /** Signs this user out everywhere, as a sign-out in another browser would: the page's token dies. */
  const signOutElsewhere = (page: Page) =>
    page.evaluate(async () => (await fetch('/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${sessionStorage.getItem('lf.token')}` } })).status);

  it('a report asked for after the session ended saves nothing, asks to sign in again and comes back to the report', async () => {
    const at = '/reports?from=2026-01-01&to=2026-06-30&groupBy=bank';
    const page = await as(s.b, 'auditor', 'demo', at);
    await page.getByRole('button', { name: '下载 CSV' }).waitFor();
    const files = saved(page);
    expect(await signOutElsewhere(page)).to.equal(204);
    await page.getByRole('button', { name: '下载 CSV' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByRole('status').filter({ hasText: '登录已过期' }).waitFor();
    expect(files, 'nothing saved').to.have.length(0);

    await page.getByLabel('用户名').fill('auditor');
    await page.getByLabel('密码').fill('demo');
    await page.getByRole('button', { name: /^登\s?录$/ }).click();
    await page.waitForURL((u) => u.pathname + u.search === at);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()]);
    expect(csv.suggestedFilename()).to.equal('kpi-2026-01-01-2026-06-30-bank.csv');
    await page.close();
  });

  it('a forecast file asked for after the session ended saves nothing and asks to sign in again', async () => {
    const page = await as(s.b, 'auditor', 'demo', '/forecast');
    await page.getByRole('button', { name: '下载 CSV' }).waitFor();
    const files = saved(page);
    expect(await signOutElsewhere(page)).to.equal(204);
    await page.getByRole('button', { name: '下载 Excel' }).first().click();
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByRole('status').filter({ hasText: '登录已过期' }).waitFor();
    expect(files, 'nothing saved').to.have.length(0);
    await page.close();
  });

  it('a report the API refuses shows its message and saves nothing', async () => {
    const page = await as(s.b, 'auditor', 'demo', '/reports?from=2026-06-30&to=2026-01-01&groupBy=bank');
    const files = saved(page);
    await page.getByRole('button', { name: '下载 Excel' }).click();
    await page.getByRole('alert').filter({ hasText: '下载失败' }).filter({ hasText: 'must be on or after from' }).waitFor();
    expect(files, 'nothing saved').to.have.length(0);
    expect(page.url(), 'still signed in, on the report').to.contain('/reports');
    await page.close();
  });

  it('a what-if file the rules refuse says why beside the field and saves nothing', async () => {
    const page = await as(s.b, 'fin-approver', 'demo', '/forecast');
    const files = saved(page);
    await page.getByLabel('担保额度下限').fill('200000.00');
    await page.getByRole('button', { name: '下载 Excel' }).last().click();
    await page.getByText('must not be greater than guaranteeMax').waitFor();
    expect(files, 'nothing saved').to.have.length(0);
    await page.close();
  });
});
