/**
 * The console for people who are not at a desk or not using a mouse, and for the admin: a person
 * registers; the applicant's screens on a phone; a decision made with the keyboard alone; the
 * admin's forms (an organisation, an officer, a role change, a policy version showing what it
 * changes). A database of its own: it adds a policy version, which every later application reads.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { openPrivateSuite, newApplicant, newIdNumber, type ApiHarness, type DemoOrgs } from '../support/api';
import { submit } from '../applications/helpers';
import { openConsole, closeConsole, as, button, choose, publishPolicy, openBrowser, screen, signIn, type Browser } from './browser';

const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

describe('Web console (zh-CN): registration, phone, keyboard, admin', function () {
  this.timeout(300_000);
  let db: Knex, h: ApiHarness, orgs: DemoOrgs, b: Browser;

  before(async function () {
    this.timeout(180_000);
    ({ db, h, orgs, b } = await openConsole(() => openPrivateSuite('web_access')));
  });
  after(() => closeConsole({ b, h }));

  it('a person registers, the ID number checked as typed, and signs in as an applicant', async () => {
    const page = await b.person();
    await page.getByRole('link', { name: '注册申请人账号' }).click();
    const idNumber = newIdNumber('19950610');
    const username = `reg-${Date.now().toString(36)}`;
    await page.getByLabel('身份证号码').fill(idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1'));
    await page.getByLabel('姓名').fill('李明');
    await page.getByText('校验码错误').waitFor();
    await page.getByLabel('身份证号码').fill(idNumber);
    await page.getByLabel('手机号码').fill('13800000000');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码（至少 8 位）').fill('password-1');
    await screen(page, 'register');
    await button(page, '注册').click();
    await page.getByText('注册申请已收到').waitFor();
    await signIn(page, username, 'password-1');
    await page.waitForURL(/\/apply$/);
    await page.getByText('现行政策版本').waitFor();
    await page.close();
  });

  it('the applicant’s screens fit a phone: sign-in, apply, my application', async () => {
    const phone = await openBrowser(h.url, { viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const applicant = await newApplicant(h);
      const page = await phone.person();
      await screen(page, 'login-phone');
      expect(await overflow(page), 'login').to.be.at.most(0);
      await signIn(page, applicant.username, 'password-1');
      await page.getByText('现行政策版本').waitFor();
      expect(await overflow(page), 'apply').to.be.at.most(0);
      await screen(page, 'apply-phone');
      const id = await submit(h, applicant, orgs);
      await page.goto('/applications');
      await page.getByRole('link', { name: id.slice(0, 8).toUpperCase() }).click();
      await page.getByText('办理过程').waitFor();
      expect(await overflow(page), 'my application').to.be.at.most(0);
      await screen(page, 'application-phone');
    } finally {
      await phone.close();
    }
  });

  it('a decision is made with the keyboard alone: skip link, tab, arrows, typing, Enter', async () => {
    const applicant = await newApplicant(h);
    const id = await submit(h, applicant, orgs);
    const page = await as(b, 'community-a', 'demo', `/applications/${id}`);
    await page.getByText('反担保决定').waitFor();
    // The skip link is the first stop, and takes the focus past the menu.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).to.equal('跳到主要内容');
    await page.keyboard.press('Enter');
    // The focused control's name: its label (for=, or the label around it), else its own text.
    const focused = () =>
      page.evaluate<string>(
        `(() => { const e = document.activeElement; if (!e) return ''; const l = (e.id && document.querySelector('label[for="' + e.id + '"]')) || e.closest('label'); return ((l && l.textContent) || e.getAttribute('aria-label') || e.textContent || '').trim(); })()`,
      );
    const tabTo = async (what: RegExp) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (what.test(await focused())) return;
      }
      throw new Error(`no focus on ${what}`);
    };
    await tabTo(/^同意$/);
    // Arrows move within the radio group; back to approve.
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '不同意' }).isChecked()).to.equal(true);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('radio', { name: '同意', exact: true }).isChecked()).to.equal(true);
    await tabTo(/^反担保方式$/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await tabTo(/^理由$/);
    await page.keyboard.type('邻里担保，信用良好');
    await tabTo(/^提\s?交$/);
    await screen(page, 'decision-keyboard');
    await page.keyboard.press('Enter');
    await page.getByText('待担保初审').first().waitFor();
    const app = (await h.call('GET', `/v1/applications/${id}`, { token: applicant.token })).body;
    expect(app.counterGuaranteeType).to.equal('guarantor');
    await page.close();
  });

  it('the training institution registers a trainee’s certificate, finds it and revokes it', async () => {
    const page = await as(b, 'trainer');
    await page.waitForURL(/\/certificates$/);
    const no = `SYB-WEB-${Date.now().toString(36)}`.toUpperCase();
    const idNumber = newIdNumber('19980305');
    await page.getByLabel('证书编号', { exact: true }).first().fill(no);
    await page.getByLabel('持证人姓名').fill('赵强');
    await page.getByLabel('持证人身份证号码').fill(idNumber);
    await screen(page, 'certificate-register');
    await button(page, '登记').click();
    await page.waitForURL(/\?no=/);
    await page.getByText('有效').waitFor();
    await page.getByLabel('理由').fill('培训记录有误，证书作废');
    await screen(page, 'certificate-revoke');
    await button(page, '撤销证书').click();
    await page.getByText('已撤销').waitFor();
    await page.getByText('培训记录有误，证书作废').waitFor();
    const stored = await db('certificates').where({ certificate_no: no }).first();
    expect(stored).to.include({ holder_id_number: idNumber, course: 'SYB' });
    expect(stored.revoked_at).to.not.equal(null);
    await page.close();
  });

  it('the admin registers an organisation, makes an officer for it and changes the role', async () => {
    const page = await as(b, 'admin', 'demo', '/admin/organisations');
    const bank = `长春测试银行 ${Date.now().toString(36)}`;
    await choose(page, '机构类型', '经办银行');
    await page.getByLabel('名称', { exact: true }).or(page.getByLabel('姓名', { exact: true })).first().fill(bank);
    await page.getByLabel('地区').fill('长春');
    await screen(page, 'admin-organisations');
    await button(page, '创建').click();
    await page.getByRole('cell', { name: bank }).waitFor();

    await page.goto('/admin/users');
    const username = `bank-${Date.now().toString(36)}`;
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('初始密码（至少 8 位）').fill('password-1');
    await page.getByLabel('姓名').fill('王芳');
    await choose(page, '角色', '银行经办人');
    await choose(page, '所属机构', bank);
    await screen(page, 'admin-users');
    await button(page, '创建').click();
    const row = page.locator('tr').filter({ has: page.getByRole('cell', { name: username, exact: true }) });
    await row.waitFor();
    expect(await row.textContent()).to.contain(bank);
    await row.getByRole('button', { name: '展开行' }).click();
    const edit = page.locator('.ant-table-expanded-row').filter({ has: page.getByRole('button', { name: `保存 ${username}` }) });
    await edit.getByLabel('角色').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '审计人员' }).click();
    // The auditor belongs to a finance bureau: the form asks for one now, and refuses without it.
    await edit.getByRole('button', { name: `保存 ${username}` }).click();
    await edit.getByText('必填').waitFor();
    await edit.getByLabel('所属机构').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'Changchun Finance Bureau' }).click();
    await edit.getByRole('button', { name: `保存 ${username}` }).click();
    await row.getByRole('cell', { name: '审计人员', exact: true }).waitFor();
    const user = await db('users').where({ username }).first();
    const bureau = await db('organisations').where({ type: 'finance_bureau' }).first();
    expect(user).to.include({ role: 'auditor', org_id: bureau.id, active: true });
    await page.close();
  });

  it('the admin publishes a policy version effective from a date, seeing what it changes before publishing', async () => {
    const page = await publishPolicy(b, {
      from: '2099-01-01',
      fields: { '担保金额上限（元）': '150000.00', '逾期多少天视为违约': '60' },
      changes: 2,
      shot: 'admin-policy',
      check: async (preview) => expect(await preview.textContent()).to.contain('担保金额上限（元）：100000.00 → 150000.00'),
    });
    const published = page.getByRole('row').filter({ hasText: '2099-01-01' });
    expect(await published.textContent()).to.contain('逾期多少天视为违约：90 → 60');
    const stored = await db('policies').where({ effective_from: '2099-01-01' }).first();
    expect(stored.params).to.include({ guaranteeMax: '150000.00', defaultAfterDays: 60 });
    await page.close();
  });
});
