/**
 * Follow-up visits in the console, after three months on the time-skipping server: the community
 * officer finds the overdue visit in my tasks, opens it, records what was found on the loan's
 * screen, and the indicator report shows jobs per business against its target, not met. Each
 * screen is checked with axe. A database of its own, like the finance journey.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openPrivateSuite, type ApiHarness, type DemoOrgs } from '../support/api';
import { openLoan, serverToday, skipTo, type OpenedLoan } from '../loans/helpers';
import { addDays, addMonthsClamped } from '../../domain/dates';
import { openConsole, closeConsole, as, button, screen, type Browser } from './browser';

describe('Web console (zh-CN): a follow-up visit from my tasks, and the report against its targets', function () {
  this.timeout(600_000);
  let db: Knex, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs, b: Browser;
  let syncClock: () => Promise<void>;
  let loan: OpenedLoan;
  const card = (page: Page, title: string) => page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  before(async function () {
    this.timeout(300_000);
    ({ db, skipping, h, orgs, syncClock, b } = await openConsole(() => openPrivateSuite('web_follow_up', { timeSkipping: true })));
    const issuedOn = await serverToday(skipping);
    loan = await openLoan(h, skipping, orgs, { termMonths: 12, issuedOn, birth: `${Number(issuedOn.slice(0, 4)) - 30}0101` });
  });
  after(() => closeConsole({ b, h }));

  it('the community officer records the overdue visit from my tasks; the loan shows it; the report judges jobs against 1:5', async () => {
    const due = addMonthsClamped(loan.disbursedOn, 3);
    await skipTo(skipping, addDays(due, 31));
    await syncClock();
    const today = await serverToday(skipping);

    const page = await as(b, 'community-a', 'demo', '/tasks');
    const task = page.getByRole('row').filter({ hasText: '放款后第 3 个月回访' }).filter({ hasText: loan.loan.contractNo });
    await task.getByText(`${addDays(due, 31)} 起逾期`).waitFor();
    await screen(page, 'tasks-follow-up');
    await task.getByRole('link', { name: `办理 ${loan.loan.contractNo}` }).click();

    const followUp = card(page, '跟踪回访');
    await followUp.getByRole('cell', { name: '已逾期' }).waitFor();
    // The browser's day is the wall clock's; the visit is dated on the server's.
    await followUp.getByLabel('回访日期').fill(today);
    await followUp.getByLabel('从业人数（含业主）').fill('3');
    await followUp.getByLabel('统一社会信用代码').fill('91350100M000100Y43');
    await followUp.getByLabel('回访记录').fill('门店正常营业，新招两名店员');
    await screen(page, 'loan-follow-up-visit');
    await button(followUp, '登记回访').click();
    await followUp.getByRole('cell', { name: '已回访 · 逾期登记' }).waitFor();
    await followUp.getByRole('cell', { name: '91350100M000100Y43' }).waitFor();
    expect(await db('follow_up_visits').where({ loan_id: loan.loanId }).first('employees', 'late')).to.deep.equal({ employees: 3, late: true });
    await page.close();

    const report = await as(b, 'auditor', 'demo', `/reports?from=${loan.disbursedOn}&to=${today}&groupBy=community`);
    const nanguan = report.getByRole('row').filter({ hasText: 'Nanguan Credit Community' });
    await nanguan.waitFor();
    await report.getByRole('columnheader', { name: '户均带动就业人数：是否达标' }).waitFor();
    expect(await nanguan.getByText('3.00').count()).to.be.at.least(1);
    expect(await nanguan.getByText('未达标').count()).to.be.at.least(1);
    await screen(report, 'report-targets');
    await report.close();
  });
});
