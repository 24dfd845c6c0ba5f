/**
 * The money programmes on screen (docs/programmes.md): the funds by programme with their year-end
 * view, the training institution's claim, the labour officer's task and check against the certificate registry,
 * and the incubator rewards — each screen checked with axe. A database of its own, demo-seeded: the
 * demo's paid training class and rewarded enterprise are there to be read.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { openPrivateSuite, newApplicant, newIdNumber, type ApiHarness } from '../support/api';
import { openConsole, closeConsole, as, button, choose, publishPolicy, screen, type Browser } from './browser';

describe('Web console (zh-CN): funds by programme, training claims, incubator rewards', function () {
  this.timeout(300_000);
  let db: Knex, h: ApiHarness, b: Browser;

  before(async function () {
    this.timeout(180_000);
    ({ db, h, b } = await openConsole(() => openPrivateSuite('web_programmes')));
  });
  after(() => closeConsole({ b, h }));

  it('the funds show their programme and the year-end view', async () => {
    const page = await as(b, 'fin-approver', 'demo', '/funds');
    await page.getByRole('heading', { name: '年度决算' }).waitFor();
    await page.getByText(/创业培训补贴 · /).first().waitFor();
    await page.getByText(/创业孵化奖励 · /).first().waitFor();
    await page.getByText('年末结余收回').first().waitFor();
    await screen(page, 'funds-programmes');
    await page.close();
  });

  it('the institution files a class; the labour officer finds it in my tasks and checks it against the registry, adjusting away a mismatch', async () => {
    const passed = await newApplicant(h);
    const classRef = `SYB-${randomUUID().slice(0, 6)}`;
    const trainer = await as(b, 'trainer', 'demo', '/training-claims');
    await trainer.getByText('SYB-2026-CC-01').waitFor();
    await trainer.getByLabel('培训班编号').fill(classRef);
    await trainer.getByLabel('参训人数').fill('3');
    await trainer.getByLabel('合格学员（每行：证书编号,身份证号码,姓名）').fill(`${passed.certificateNo},${passed.idNumber},${passed.name}\nSYB-NOT-REGISTERED,${newIdNumber()},某某`);
    await screen(trainer, 'training-claim-file');
    await button(trainer, '提交').click();
    await trainer.getByRole('row').filter({ hasText: classRef }).first().waitFor();
    await trainer.close();

    const officer = await as(b, 'labour', 'demo', '/tasks');
    await officer.getByRole('row').filter({ hasText: classRef }).filter({ hasText: '创业培训补贴待审核' }).waitFor();
    await screen(officer, 'tasks-labour');
    await officer.getByRole('link', { name: `办理 ${classRef}` }).click();
    await officer.getByText('与证书登记不符').first().waitFor();
    await screen(officer, 'training-claim-check');
    await button(officer, '审核').first().click();
    await officer.getByRole('row').filter({ hasText: classRef }).filter({ hasText: '待审批' }).waitFor();
    await officer.close();
    const claim = await db('training_claims').where({ class_ref: classRef }).first();
    expect(claim).to.include({ status: 'CHECKED', amount: '600.00' });
  });

  it('the officer files an incubator reward with its evidence; the approver sees it to approve', async () => {
    const officer = await as(b, 'fin-officer', 'demo', '/incubators');
    await officer.getByText('吉林智造科技有限公司').first().waitFor();
    // The list carries counts; a row opens the incubator's enterprises, a page at a time.
    const incubator = officer.getByRole('row').filter({ hasText: '长春市小企业创业基地' });
    await incubator.getByRole('button', { name: '展开行' }).click();
    await officer.getByRole('cell', { name: '长春云帆软件有限公司', exact: true }).waitFor();
    await choose(officer, '孵化基地', '长春市小企业创业基地');
    await choose(officer, '在孵企业', '长春云帆软件有限公司');
    await officer.getByLabel('证明文件编号').fill('GR-2026-0099');
    await officer.getByLabel('认定/挂牌日期').fill(new Date(Date.now() + 8 * 3600e3 - 86_400_000).toISOString().slice(0, 10));
    await screen(officer, 'incubator-reward-file');
    await button(officer, '提交').click();
    const filed = officer.getByRole('row').filter({ hasText: 'GR-2026-0099' }).filter({ hasText: '待审核' });
    await filed.waitFor();
    await filed.getByRole('button', { name: '展开行' }).click();
    await button(officer, '审核').first().click();
    await officer.getByRole('row').filter({ hasText: 'GR-2026-0099' }).filter({ hasText: '待审批' }).waitFor();
    await officer.close();

    const approver = await as(b, 'fin-approver', 'demo', '/incubators');
    await approver.getByRole('row').filter({ hasText: 'GR-2026-0099' }).waitFor();
    await screen(approver, 'incubator-reward-approve');
    await button(approver, '审批').first().click();
    await approver.getByRole('row').filter({ hasText: 'GR-2026-0099' }).filter({ hasText: '已拨付' }).waitFor();
    // The two transfers' references, as the bureau's statement must name them (docs/reconciliation.md).
    const rewards = await h.call('GET', '/v1/incubator-rewards?pageSize=200', { token: await h.login('fin-approver') });
    const reward = rewards.body.items.find((r: { documentNo: string }) => r.documentNo === 'GR-2026-0099');
    const row = approver.getByRole('row').filter({ hasText: 'GR-2026-0099' });
    await row.getByText(reward.operatorPaymentRef).waitFor();
    await row.getByText(reward.enterprisePaymentRef).waitFor();
    await approver.getByRole('columnheader', { name: '付款参考号（运营主体）' }).waitFor();
    await approver.getByRole('columnheader', { name: '付款参考号（在孵企业）' }).waitFor();
    await screen(approver, 'incubator-reward-paid');
    await approver.close();
  });
  it('the admin sets the programmes’ parameters in a new policy version: amounts, windows, a reward left out', async () => {
    const page = await publishPolicy(b, {
      from: '2098-01-01',
      fields: {
        '创业培训补贴：每名合格学员（元）': '650.00',
        '创业培训补贴：创业成效观察期（月）': '9',
        '孵化奖励·股权挂牌：毕业后期限（月）': '36',
        '孵化奖励·转板新三板：运营主体及企业各（元）': '',
      },
      changes: 4,
      shot: 'admin-policy-programmes',
      check: async (preview) => expect(await preview.textContent()).to.contain('创业培训补贴：每名合格学员（元）：600.00 → 650.00'),
    });
    const stored = await db('policies').where({ effective_from: '2098-01-01' }).first();
    expect(stored.params.trainingSubsidy).to.deep.equal({ basePerPassed: '650.00', outcomePerStarted: '400.00', outcomeMonths: 9 });
    expect(stored.params.incubatorRewards).to.deep.equal({
      high_tech: { amountEach: '100000.00', monthsAfterGraduation: 12 },
      listing: { amountEach: '200000.00', monthsAfterGraduation: 36 },
    });
    await page.close();
  });
});
