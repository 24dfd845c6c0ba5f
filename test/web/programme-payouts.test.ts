/**
 * The incubator reward as the finance bureau's people meet it on screen: in my tasks (the officer's
 * to check, then the approver's), decided there, and its two payouts reconciled against the
 * bureau's own account statement uploaded on the reconciliation screen (docs/reconciliation.md,
 * "Programme payouts") — each screen checked with axe. A bureau of its own, made through the API,
 * so the tasks and the quarter's payouts are exactly this test's.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { openPrivateSuite, type ApiHarness } from '../support/api';
import { openConsole, closeConsole, as, button, choose, decideWithReason, screen, type Browser } from './browser';

const creditCode = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
const quarterOf = (date: string) => `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

describe('Web console (zh-CN): an incubator reward in my tasks, and the bureau’s statement', function () {
  this.timeout(300_000);
  let db: Knex, h: ApiHarness, b: Browser;
  const tag = randomUUID().slice(0, 6);
  const bureauName = `市财政局孵化专户 ${tag}`;
  const officer = `fin-off-${tag}`;
  const approver = `fin-app-${tag}`;
  const enterpriseName = `长春星图科技有限公司 ${tag}`;
  const incubatorName = `净月创业孵化基地 ${tag}`;
  let rewardId: string;

  const ok = (r: { status: number; body: any }, status: number) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return r.body;
  };
  const row = (page: Page, ...texts: string[]) => texts.reduce((l, text) => l.filter({ hasText: text }), page.getByRole('row'));
  const card = (page: Page, title: string) => page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  before(async function () {
    this.timeout(180_000);
    ({ db, h, b } = await openConsole(() => openPrivateSuite('web_payouts')));
    const admin = await h.login('admin');
    const bureauId = ok(await h.call('POST', '/v1/organisations', { token: admin, body: { type: 'finance_bureau', name: bureauName, region: 'Changchun' } }), 201).id;
    for (const [username, role] of [[officer, 'finance_officer'], [approver, 'finance_approver']]) {
      ok(await h.call('POST', '/v1/users', { token: admin, body: { username, password: 'demo-password', role, orgId: bureauId } }), 201);
    }
    const off = await h.login(officer, 'demo-password');
    const app = await h.login(approver, 'demo-password');
    const year = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
    const fund = ok(await h.call('POST', '/v1/funds', { token: off, body: { programme: 'incubator_rewards', year, name: `孵化奖励资金 ${year} ${tag}` } }), 201);
    const proposal = ok(await h.call('POST', `/v1/funds/${fund.id}/top-ups`, { token: off, body: { amount: '500000.00', reason: '年度预算' } }), 201);
    ok(await h.call('POST', `/v1/funds/${fund.id}/top-ups/${proposal.id}/decision`, { token: app, body: { decision: 'approve' } }), 200);
    const incubator = ok(await h.call('POST', '/v1/incubators', { token: off, body: { name: incubatorName, operatorName: '净月创业服务有限公司', operatorCreditCode: creditCode(), region: 'Changchun' } }), 201);
    const enterprise = ok(await h.call('POST', `/v1/incubators/${incubator.id}/enterprises`, { token: off, body: { name: enterpriseName, creditCode: creditCode(), enteredOn: `${year - 1}-01-10` } }), 201);
    rewardId = ok(await h.call('POST', '/v1/incubator-rewards', { token: off, body: { enterpriseId: enterprise.id, kind: 'high_tech', documentNo: `GR-${tag}`, eventOn: `${year - 1}-06-01` } }), 201).id;
  });
  after(() => closeConsole({ b, h }));

  it('the officer finds the reward in my tasks and checks it; the approver then finds it there and approves', async () => {
    const page = await as(b, officer, 'demo-password', '/tasks');
    const task = row(page, enterpriseName, '孵化奖励待审核');
    await task.waitFor();
    expect(await task.textContent()).to.contain(incubatorName).and.contain('100,000.00');
    await screen(page, 'tasks-incubator-reward-check');
    await task.getByRole('link', { name: /办理/ }).click();
    await row(page, `GR-${tag}`, '待审核').waitFor();
    await button(page, '审核').first().click();
    await row(page, `GR-${tag}`, '待审批').waitFor();
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    expect(await row(page, enterpriseName).count(), 'checked: no longer the officer’s').to.equal(0);
    await page.close();

    const decider = await as(b, approver, 'demo-password', '/tasks');
    const toApprove = row(decider, enterpriseName, '孵化奖励待审批');
    await toApprove.waitFor();
    expect(await toApprove.textContent()).to.contain(officer);
    await screen(decider, 'tasks-incubator-reward-approve');
    await toApprove.getByRole('link', { name: /办理/ }).click();
    await button(decider, '审批').first().click();
    await row(decider, `GR-${tag}`, '已拨付').waitFor();
    await decider.close();
    expect((await db('incubator_reward_claims').where({ id: rewardId }).first()).status).to.equal('PAID');
  });

  it('the officer uploads the bureau’s statement: the operator’s payout matches, the enterprise’s amount differs and is explained', async () => {
    const reward = ok(await h.call('GET', `/v1/incubator-rewards/${rewardId}`, { token: await h.login(officer, 'demo-password') }), 200);
    const csv = [
      'date,reference,amount,description',
      `${reward.paidOn},${reward.operatorPaymentRef},${reward.amountEach},孵化奖励（运营主体）`,
      `${reward.paidOn},${reward.enterprisePaymentRef},99999.00,孵化奖励（企业）`,
    ].join('\n') + '\n';
    const page = await as(b, officer, 'demo-password', '/reconciliations');
    const upload = card(page, '上传银行对账单');
    await upload.getByLabel('季度', { exact: true }).fill(quarterOf(reward.paidOn));
    await choose(page, '经办银行', `${bureauName}（本局账户`);
    await upload.locator('input[type=file]').setInputFiles({ name: 'bureau-statement.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await button(upload, '提交').click();
    await upload.getByRole('progressbar').waitFor();
    const mismatches = card(page, '差异');
    const differs = row(page, '金额不符', reward.enterprisePaymentRef);
    await differs.waitFor();
    expect(await row(page, reward.operatorPaymentRef).count(), 'the operator’s payout matched').to.equal(0);
    await screen(page, 'reconciliation-bureau-statement');
    await decideWithReason(page, mismatches.locator('.ant-table-expanded-row'), '银行少付一元，已与开户行核实并补付', 'bureau-mismatch-resolution', '处理差异');
    await mismatches.getByText('已说明').waitFor();
    await page.close();
    const listed = ok(await h.call('GET', `/v1/reconciliations?quarter=${quarterOf(reward.paidOn)}`, { token: await h.login(officer, 'demo-password') }), 200);
    expect(listed.items.find((r: { bankName: string }) => r.bankName === bureauName)).to.include({ lineCount: 2, mismatchCount: 1, unresolved: 0, current: true });
  });
});
