/**
 * The console in a browser, in Chinese, through one application's whole path: each role signs in
 * and does its step on screen. Every screen visited is checked with axe and saved as a screenshot.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { openApiSuite, newApplicant, type ApiSuite, type Applicant } from '../support/api';
import { openConsole, closeConsole, decideWithReason, as, choose, expectReadOnly, screen, signIn, type Browser } from './browser';

const submitButton = (page: Page) => page.getByRole('button', { name: /^提\s?交$/ });

describe('Web console journey (zh-CN): apply to repayment, every role on screen', function () {
  this.timeout(300_000);
  let s: ApiSuite;
  let b: Browser;
  let applicant: Applicant;
  let applicationId: string;
  let reviewer: { id: string; username: string };
  /** The application's row in my tasks (its id's first eight characters, as the console shows them). */
  const taskRow = (page: Page) => page.getByRole('row', { name: new RegExp(applicationId.slice(0, 8).toUpperCase()) });
  /** `user`'s tasks on a new page, and the application's row once it shows. */
  const myTask = async (user: string) => {
    const page = await as(b, user, 'demo', '/tasks');
    const row = taskRow(page);
    await row.waitFor();
    return { page, row };
  };

  before(async () => {
    ({ b, ...s } = await openConsole(() => openApiSuite()));
    applicant = await newApplicant(s.h);
    // A reviewer of the guarantee company of its own, so changing its role touches no demo user.
    const admin = await s.h.login('admin');
    const username = `reviewer-${Date.now().toString(36)}`;
    const r = await s.h.call('POST', '/v1/users', { token: admin, body: { username, password: 'demo-password', role: 'guarantee_reviewer', orgId: s.orgs.guarantee, name: '初审员甲' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    reviewer = { id: r.body.id, username };
  });
  after(() => closeConsole({ b, h: s?.h }));

  it('the applicant signs in, sees the policy in force and applies; the ID number is checked as typed', async () => {
    const page = await b.person();
    await screen(page, 'login');
    await signIn(page, applicant.username, 'password-1');
    await page.goto('/apply');
    await page.getByText(/现行政策版本/).waitFor();
    await page.getByLabel('创业培训合格证书编号').fill(applicant.certificateNo);
    const id = page.getByLabel('身份证号码');
    await id.fill(applicant.idNumber.slice(0, 17) + (applicant.idNumber[17] === '0' ? '1' : '0'));
    await id.blur();
    await page.getByText('校验码错误').waitFor();
    await id.fill(applicant.idNumber);
    await page.getByLabel('姓名').fill(applicant.name);
    await page.getByLabel('手机号码').fill('13900000000');
    await choose(page, '人员类别', '高校毕业生');
    await choose(page, '信用社区', 'Nanguan Credit Community');
    await page.getByLabel('申请金额（元）').fill('80000');
    await page.getByLabel('创业计划').fill('在长春大学附近开一家面馆，主营手工拉面，第一年雇用两名员工，预计月营业额三万元。');
    await screen(page, 'apply');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
    applicationId = page.url().split('/').pop()!;
    await page.getByText('待社区反担保').first().waitFor();
    await screen(page, 'application-applicant');
    await page.close();
  });

  it('the community officer finds it in my tasks with its deadline and approves the counter-guarantee', async () => {
    const { page, row } = await myTask('community-a');
    expect(await row.textContent()).to.match(/剩余|天/);
    await screen(page, 'tasks');
    await row.getByRole('link', { name: /办理/ }).click();
    await decideWithReason(page, page, '社区信用良好，同意反担保', 'counter-guarantee', /^提\s?交$/);
    await page.getByText('待担保初审').first().waitFor();
    await page.close();
  });

  it('the reviewer recommends an amount; promoted to approver, the same person is refused on screen', async () => {
    const page = await as(b, reviewer.username, 'demo-password');
    await page.goto(`/applications/${applicationId}`);
    await page.getByLabel('建议担保金额').fill('80000.00');
    await decideWithReason(page, page, '创业计划可行', 'guarantee-review', /^提\s?交$/);
    await page.getByText('待担保审批').first().waitFor();

    const admin = await s.h.login('admin');
    const promoted = await s.h.call('PATCH', `/v1/users/${reviewer.id}`, { token: admin, body: { role: 'guarantee_approver' } });
    expect(promoted.status, JSON.stringify(promoted.body)).to.equal(200);
    await page.reload();
    await page.getByText(`初审人为 ${reviewer.username}`).waitFor();
    await page.getByLabel('理由').fill('同意');
    await submitButton(page).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'maker–checker' });
    await refusal.waitFor();
    expect(await refusal.textContent()).to.contain('The approver must be a different person from the reviewer');
    await screen(page, 'self-approval-refused');
    await page.close();
  });

  it('the approver sees who reviewed, and approves', async () => {
    const { page, row } = await myTask('g-approver');
    expect(await row.textContent()).to.contain(reviewer.username);
    await row.getByRole('link', { name: /办理/ }).click();
    await decideWithReason(page, page, '同意担保', 'guarantee-approval', /^提\s?交$/);
    await page.getByText('待银行放款').first().waitFor();
    await page.close();
  });

  it('the bank disburses within the rate cap and records a repayment with the amount due prefilled', async () => {
    const page = await as(b, 'bank-a', 'demo', '/tasks');
    const row = taskRow(page);
    await row.getByRole('link', { name: /办理/ }).click();
    await page.getByLabel('借款合同编号').fill(`JK-${applicationId.slice(0, 8)}`);
    await page.getByLabel(/年利率/).fill('0.0435');
    await page.getByLabel('银行流水号').fill(`LS-${applicationId.slice(0, 8)}`);
    await screen(page, 'disbursal');
    await submitButton(page).click();
    await page.getByText('还款中').first().waitFor();
    await page.getByRole('link', { name: '查看贷款' }).click();
    await page.getByText('还款计划').waitFor();
    const amount = page.getByLabel('金额', { exact: true });
    expect(await amount.inputValue()).to.match(/^\d+\.\d{2}$/);
    await page.getByLabel('银行流水号').fill(`HK-${applicationId.slice(0, 8)}`);
    await screen(page, 'loan-bank');
    await submitButton(page).first().click();
    await page.getByRole('cell', { name: `HK-${applicationId.slice(0, 8)}` }).waitFor();
    await page.close();
  });

  it('the applicant sees every step with who, when and why; the auditor sees it all and has no action', async () => {
    const page = await as(b, applicant.username, 'password-1');
    await page.goto(`/applications/${applicationId}`);
    for (const step of ['提交申请', '资格审查', '社区反担保', '担保初审', '担保审批', '银行放款']) await page.getByText(step, { exact: true }).first().waitFor();
    await page.getByText('社区信用良好，同意反担保').waitFor();
    await screen(page, 'application-timeline');
    await page.close();

    const audit = await b.person();
    await signIn(audit, 'auditor');
    await audit.goto(`/applications/${applicationId}`);
    await audit.getByText('银行放款', { exact: true }).first().waitFor();
    expect(await submitButton(audit).count()).to.equal(0);
    await screen(audit, 'application-auditor');
    await expectReadOnly(audit, 'application (auditor)');
    await audit.goto('/loans');
    await audit.getByRole('table').waitFor();
    await expectReadOnly(audit, 'loans (auditor)');
    await audit.close();
  });
});
