/**
 * The console in a browser after the loans have run for months (the time-skipping server): the
 * bank repays one loan early, extends another and reads its loans by overdue bucket; it files the
 * quarter's subsidy claim; a finance officer checks it and an approver approves it; the fund is
 * short, so the officer proposes a top-up and the approver decides it, which pays the claim; the
 * officer uploads the bank's statement with one mismatch and resolves it; the approver closes the
 * quarter; a reopening is asked by one and decided by the other; the guarantee company records a
 * recovery on a defaulted loan; the borrower reads the loan on a phone; the auditor sees all of it,
 * filters the audit trail, verifies the ledger, downloads the report — and finds no action button.
 *
 * A database of its own: it closes a quarter, and quarters are global.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openPrivateSuite, type ApiHarness, type DemoOrgs } from '../support/api';
import { openLoan, pay, serverToday, skipTo, type OpenedLoan } from '../loans/helpers';
import { claimsOpen, newOrg, type NewOrg } from '../subsidy/helpers';
import { openFund } from '../support/funds';
import { addDays, daysBetween, previousQuarter, quarterBounds, quarterOf } from '../../domain/dates';
import { businessDateOf } from '../../domain/business-day';
import { openConsole, closeConsole, decideWithReason, as, button, choose, expectReadOnly, openBrowser, screen, type Browser } from './browser';

const short = (id: string) => id.slice(0, 8).toUpperCase();
const bucketOf = (days: number) => (days <= 0 ? '正常' : days <= 30 ? '逾期 1–30 天' : days <= 90 ? '逾期 31–90 天' : '逾期 90 天以上');

describe('Web console journey (zh-CN) after the quarter: claims, funds, statements, close, recovery, audit', function () {
  this.timeout(600_000);
  let db: Knex, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs, b: Browser;
  let bureau: NewOrg, officer: string, approver: string;
  let syncClock: () => Promise<void>;
  let repaid: OpenedLoan, defaulting: OpenedLoan, early: OpenedLoan;
  let quarter: string, claimId: string, paidQuarter: string, closedQuarter: string;

  async function moveTo(date: string): Promise<void> {
    await skipTo(skipping, date);
    await syncClock();
  }
  const today = () => serverToday(skipping);
  const signedIn = (user: string, at?: string) => as(b, user, user === officer || user === approver ? 'demo-password' : 'demo', at);
  const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });
  const card = (page: Page, title: string) => page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  before(async function () {
    this.timeout(300_000);
    ({ db, skipping, h, orgs, syncClock, b } = await openConsole(() => openPrivateSuite('web_finance', { timeSkipping: true })));
    // A bureau of its own whose fund starts empty, so the claim waits for a top-up whatever the date.
    bureau = await newOrg(h, db, 'finance_bureau', ['finance_officer', 'finance_approver']);
    officer = bureau.users.finance_officer!;
    approver = bureau.users.finance_approver!;

    // The server may be years ahead of the wall clock (earlier files skip time): the certificate is
    // issued on its today, and the applicants are 30 then.
    const issuedOn = await today();
    const birth = `${Number(issuedOn.slice(0, 4)) - 30}0101`;
    repaid = await openLoan(h, skipping, orgs, { termMonths: 6, issuedOn, birth });
    defaulting = await openLoan(h, skipping, orgs, { termMonths: 12, issuedOn, birth });
    early = await openLoan(h, skipping, orgs, { termMonths: 12, issuedOn, birth });
    quarter = repaid.loan.schedule[0].quarter;
    // The fund of the year the claim is approved in (the day claims open), with no budget yet.
    const year = Number(claimsOpen(quarter).slice(0, 4));
    await openFund(db, { bureauId: bureau.orgId, year, name: `中小企业发展专项资金 ${year}` });
  });
  after(() => closeConsole({ b, h }));

  it('the bank repays a loan early from the quoted amount, and extends another once', async () => {
    await moveTo(addDays(early.disbursedOn, 10));
    const page = await signedIn('bank-a', `/loans/${early.loanId}`);
    const earlyCard = card(page, '提前还款');
    await earlyCard.getByRole('button', { name: /计\s?算/ }).click();
    const quote = earlyCard.getByRole('status').filter({ hasText: '提前结清应还' });
    await quote.waitFor();
    expect(await quote.textContent()).to.contain(`${await today()} 提前结清应还 ¥80,`);
    await earlyCard.getByLabel('银行流水号').fill(`EARLY-${short(early.loanId)}`);
    await screen(page, 'loan-early-repayment');
    await earlyCard.getByRole('button', { name: '登记提前还款' }).click();
    await page.getByText('已结清').first().waitFor();
    await page.getByRole('cell', { name: '提前结清' }).waitFor();

    await page.goto(`/loans/${defaulting.loanId}`);
    const extension = card(page, '展期');
    await extension.getByLabel('展期月数').fill('3');
    await decideWithReason(page, extension, '经营受季节影响，展期三个月', 'loan-extension', '申请展期');
    await page.getByText('已展期 3 个月').waitFor();
    await page.close();
  });

  it('the borrower reads the loan on a phone: the schedule, on time or not, the subsidy earned', async () => {
    for (const p of repaid.loan.schedule.filter((x: any) => x.quarter === quarter)) await pay(h, skipping, repaid.loanId, p);
    await syncClock();
    const phone = await openBrowser(h.url, { viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const page = await as(phone, repaid.applicant.username, 'password-1', '/loans');
      await page.getByRole('heading', { name: '我的贷款' }).waitFor();
      await page.getByRole('link', { name: repaid.loan.contractNo }).click();
      await page.getByText('还款计划').waitFor();
      expect(await page.getByText('按期还清').count()).to.be.greaterThan(0);
      const earned = page.locator('.ant-descriptions-item').filter({ hasText: '已获财政贴息' });
      expect(await earned.textContent()).to.match(/¥\d/);
      // Nothing wider than the phone: wide tables scroll inside their own box.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, 'horizontal overflow of the page (px)').to.be.at.most(0);
      await screen(page, 'loan-applicant-phone');
      await page.goto('/applications');
      await page.getByRole('link', { name: short(repaid.applicationId) }).waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).to.be.at.most(0);
      await screen(page, 'applications-applicant-phone');
    } finally {
      await phone.close();
    }
  });

  it('the bank reads its loans by overdue bucket and files the quarter’s claim', async () => {
    await moveTo(claimsOpen(quarter));
    const overdue = daysBetween(defaulting.loan.schedule[0].dueOn, await today());
    const page = await signedIn('bank-a', '/loans');
    await choose(page, '逾期分档', bucketOf(overdue));
    await row(page, defaulting.loan.contractNo).waitFor();
    expect(await row(page, defaulting.loan.contractNo).textContent()).to.contain(`${overdue} 天`);
    expect(await row(page, repaid.loan.contractNo).count()).to.equal(0);
    await screen(page, 'loans-buckets');

    await page.goto('/claims');
    await page.getByLabel('季度', { exact: true }).first().fill(quarter);
    await button(page, '提交').click();
    await page.waitForURL(/\/claims\/[0-9a-f-]{36}$/);
    claimId = page.url().split('/').pop()!;
    await page.getByText('待审核').first().waitFor();
    // Its lines: the repaid loan's on-time periods of the quarter.
    const lines = row(page, short(repaid.loanId));
    await lines.first().waitFor();
    expect(await lines.count()).to.equal(repaid.loan.schedule.filter((p: any) => p.quarter === quarter).length);
    await screen(page, 'claim-filed');
    await page.close();
  });

  it('the finance officer finds it in my tasks and sends it back; the bank finds the rejection in its tasks and files again', async () => {
    const page = await signedIn(officer, '/tasks');
    const task = row(page, short(claimId));
    await task.waitFor();
    expect(await task.textContent()).to.contain('贴息申请待审核');
    await task.getByRole('link', { name: /办理/ }).click();
    await page.getByRole('radio', { name: '不同意' }).check();
    await page.getByLabel('理由').fill('请补充第 3 期的还款凭证后重新申请');
    await button(page, '提交').click();
    await page.getByText('已退回').first().waitFor();
    await page.close();

    const bank = await signedIn('bank-a', '/tasks');
    const rejected = row(bank, short(claimId));
    await rejected.waitFor();
    expect(await rejected.textContent()).to.contain('请补充第 3 期的还款凭证后重新申请');
    await rejected.getByRole('link', { name: /办理/ }).click();
    await screen(bank, 'claim-refile');
    await button(bank, '重新申请').click();
    await bank.waitForURL((u) => !u.pathname.endsWith(claimId));
    claimId = bank.url().split('/').pop()!;
    await bank.getByText('待审核').first().waitFor();
    await row(bank, short(repaid.loanId)).first().waitFor();
    await bank.close();
  });

  it('a finance officer checks the claim filed again; the approver approves; the fund is short', async () => {
    const page = await signedIn(officer, '/tasks');
    const task = row(page, short(claimId));
    await task.waitFor();
    await screen(page, 'tasks-finance');
    await task.getByRole('link', { name: /办理/ }).click();
    await decideWithReason(page, page, '与还款记录核对一致', 'claim-review', /^提\s?交$/);
    await page.getByText('待审批').first().waitFor();
    await page.close();

    const checker = await signedIn(approver, '/tasks');
    await row(checker, short(claimId)).getByRole('link', { name: /办理/ }).click();
    await checker.getByText(`审核人为 ${officer}`).waitFor();
    await decideWithReason(checker, checker, '同意拨付', 'claim-approval', /^提\s?交$/);
    await checker.getByText('待预算').first().waitFor();
    await checker.close();
  });

  it('the officer proposes a top-up; the approver decides it, which pays the waiting claim', async () => {
    const page = await signedIn(officer, '/funds');
    const form = card(page, '追加预算（提议）').first();
    await form.getByLabel('追加金额（元）').fill('100000.00');
    await form.getByLabel('理由').fill('本季度贴息申请超出年初预算');
    await form.getByRole('button', { name: '提交提议' }).click();
    await page.getByRole('cell', { name: '本季度贴息申请超出年初预算' }).first().waitFor();
    await screen(page, 'funds-top-up');
    await page.close();

    const checker = await signedIn(approver, '/tasks');
    const task = row(checker, '追加预算待审批');
    await task.waitFor();
    expect(await task.textContent()).to.contain(officer);
    await task.getByRole('link', { name: /办理/ }).click();
    const decision = checker.locator('.ant-table-expanded-row').filter({ has: checker.getByRole('button', { name: /审\s?批/ }) });
    await decideWithReason(checker, decision, '同意追加', 'top-up-decision', /审\s?批/);
    await checker.getByRole('cell', { name: /同意追加/ }).waitFor();
    await checker.goto(`/claims/${claimId}`);
    await checker.getByText('已拨付').first().waitFor();
    await checker.close();
  });

  it('the officer uploads the bank statement with one mismatch, watches it upload, and resolves it', async () => {
    const claim = (await h.call('GET', `/v1/subsidy-claims/${claimId}`, { token: await h.login('auditor') })).body;
    paidQuarter = quarterOf(claim.paidOn);
    const csv = `date,reference,amount,description\n${claim.paidOn},${claimId},${claim.total},${quarter} 贴息\n${claim.paidOn},UNKNOWN-${short(claimId)},12.34,不明来款\n`;
    const page = await signedIn(officer, '/reconciliations');
    const upload = card(page, '上传银行对账单');
    await upload.getByLabel('季度', { exact: true }).fill(paidQuarter);
    await choose(page, '经办银行', 'Changchun Rural Commercial Bank');
    await upload.locator('input[type=file]').setInputFiles({ name: 'statement.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await upload.getByRole('button', { name: /提\s?交/ }).click();
    await upload.getByRole('progressbar').waitFor();
    const mismatches = card(page, '差异');
    await mismatches.getByText('账上无此拨付').waitFor();
    await screen(page, 'reconciliation-upload');
    const resolve = mismatches.locator('.ant-table-expanded-row');
    await decideWithReason(page, resolve, '银行误记的他项来款，已与银行核实', 'mismatch-resolution', '处理差异');
    await mismatches.getByText('已说明').waitFor();
    await page.close();
  });

  it('after the quarter the approver closes it; a reopening is asked by the officer and decided by the approver', async () => {
    await moveTo(addDays(quarterBounds(paidQuarter).end, 1));
    // The database closes only a quarter its own clock has seen end (docs/security.md); the
    // time-skipping server's quarters lie ahead of that clock, so the close and the reopening are
    // of the last quarter the wall clock has ended.
    closedQuarter = previousQuarter(quarterOf(businessDateOf(new Date())));
    const page = await signedIn(approver, `/periods?quarter=${closedQuarter}`);
    await page.getByText('没有阻止结账的事项，可以结账。').waitFor();
    await screen(page, 'period-close');
    await page.getByRole('button', { name: `结账 ${closedQuarter}` }).click();
    await page.getByText('已结账').first().waitFor();
    await page.close();

    const asker = await signedIn(officer, `/periods?quarter=${closedQuarter}`);
    const reopen = card(asker, '申请反结账');
    await decideWithReason(asker, reopen, '银行更正了三月份对账单', 'reopen-request', /申请反结账/);
    await asker.getByRole('cell', { name: '银行更正了三月份对账单' }).waitFor();
    await asker.close();

    const checker = await signedIn(approver, '/tasks');
    const task = row(checker, '反结账待审批');
    await task.waitFor();
    await task.getByRole('link', { name: /办理/ }).click();
    const decision = checker.locator('.ant-table-expanded-row');
    await decideWithReason(checker, decision, '核实无误，同意反结账', 'reopen-decision', /审\s?批/);
    await checker.getByText('未结账').first().waitFor();
    await checker.getByText(/反结账 · /).waitFor();
    await checker.close();
  });

  it('after the default the guarantee company finds the loan in my tasks and records a recovery', async () => {
    const firstDue = defaulting.loan.schedule[0].dueOn;
    await moveTo(addDays(firstDue, 95));
    const page = await signedIn('g-reviewer', '/tasks');
    // The loan's follow-up visit is in the same list: the recovery is the row of its own kind.
    const task = row(page, defaulting.loan.contractNo).filter({ hasText: '代偿待追偿' });
    await task.waitFor();
    await task.getByRole('link', { name: /办理/ }).click();
    await page.getByText('违约与代偿').first().waitFor();
    const recovery = card(page, '追偿');
    await recovery.getByLabel('金额').fill('1000.00');
    await recovery.getByLabel('收款日期').fill(await today());
    await recovery.getByLabel('收款凭证号').fill(`REC-${short(defaulting.loanId)}`);
    await screen(page, 'loan-recovery');
    await recovery.getByRole('button', { name: '登记追偿' }).click();
    await page.locator('.ant-descriptions-item').filter({ hasText: '已追偿' }).filter({ hasText: '¥1,000.00' }).waitFor();
    await page.close();
  });

  it('the auditor sees it all, filters the audit trail, verifies the ledger, downloads the report, and has no action button', async () => {
    const page = await signedIn('auditor', `/claims/${claimId}`);
    await page.getByText('已拨付').first().waitFor();
    await page.getByText(officer).first().waitFor();
    await expectReadOnly(page, 'claim');
    for (const [at, text] of [['/funds', '追加预算提议'], [`/periods?quarter=${closedQuarter}`, '反结账申请'], [`/reconciliations?quarter=${paidQuarter}`, '银行对账'], [`/loans/${defaulting.loanId}`, '违约与代偿'], ['/claims', '季度贴息申请']] as const) {
      await page.goto(at);
      await page.getByText(text).first().waitFor();
      await page.waitForLoadState('networkidle');
      await expectReadOnly(page, at);
    }

    await page.goto('/audit');
    await page.getByLabel('对象编号').fill(claimId);
    await button(page.getByRole('main'), '搜索').click();
    await page.waitForURL(/entityId=/);
    for (const action of ['subsidy_claim.file', 'subsidy_claim.check.approve', 'subsidy_claim.approval.approve']) await page.getByText(action, { exact: true }).waitFor();
    expect(await row(page, 'subsidy_claim.check.approve').textContent()).to.contain(officer);
    await screen(page, 'audit-trail');
    await expectReadOnly(page, 'audit trail');

    await page.goto('/ledger');
    await page.getByRole('button', { name: '完整性校验' }).click();
    await page.getByText('校验通过').waitFor();
    await screen(page, 'ledger-verify');

    const from = repaid.loan.disbursedOn;
    const to = await today();
    await page.goto(`/reports?from=${from}&to=${to}&groupBy=bank`);
    await page.getByRole('figure', { name: '按组统计的申请与贷款笔数' }).locator('svg').waitFor();
    await page.getByRole('cell', { name: 'Changchun Rural Commercial Bank' }).first().waitFor();
    await screen(page, 'report');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()]);
    expect(csv.suggestedFilename()).to.equal(`kpi-${from}-${to}-bank.csv`);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    expect(text.charCodeAt(0), 'a BOM, so Excel reads UTF-8').to.equal(0xfeff);
    expect(text).to.contain('Changchun Rural Commercial Bank');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 Excel' }).click()]);
    expect(xlsx.suggestedFilename()).to.match(/\.xlsx$/);
    expect(fs.readFileSync((await xlsx.path())!).subarray(0, 2).toString()).to.equal('PK');
    await expectReadOnly(page, 'report');
    await page.close();
  });
});
