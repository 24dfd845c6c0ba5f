/**
 * Debian's Chromium driven by playwright-core (no browser download): one browser for the whole
 * mocha run, closed when the shared test environment stops; a fresh context (its own storage, as a
 * fresh profile) per test file. Each page is one person: the console keeps its token in the tab's
 * sessionStorage, so two pages of one context are two signed-in users.
 */
import { chromium, type Browser as Chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { atTestEnvStop } from '../support/env';
import { openApiSuite, type ApiHarness, type ApiSuite } from '../support/api';
import { ensureWebBuilt } from '../../scripts/lib/web-build';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every screen a journey visits (git-ignored); a few are copied to docs/screenshots. */
export const ARTIFACTS = path.join(__dirname, '../../test-artifacts/screens');

export interface Browser {
  context: BrowserContext;
  /** A new tab at the console's login page, as one person. */
  person(): Promise<Page>;
  close(): Promise<void>;
}

let shared: Promise<Chromium> | undefined;

function chromiumOnce(): Promise<Chromium> {
  shared ??= (async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/tools.sh as root (apt-get install chromium fonts-noto-cjk)`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-dev-shm-usage',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
    });
    atTestEnvStop(() => browser.close());
    return browser;
  })();
  return shared;
}

export async function openBrowser(baseURL: string, opts: { locale?: string; viewport?: { width: number; height: number }; isMobile?: boolean } = {}): Promise<Browser> {
  const browser = await chromiumOnce();
  const context = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    isMobile: opts.isMobile ?? false,
    hasTouch: opts.isMobile ?? false,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(20_000);
  return {
    context,
    async person() {
      const page = await context.newPage();
      await page.goto('/login');
      return page;
    },
    async close() {
      await context.close();
    },
  };
}

export async function signIn(page: Page, username: string, password = 'demo'): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** A new tab signed in as `username`, at `at` when given. */
export async function as(b: Browser, username: string, password = 'demo', at?: string): Promise<Page> {
  const page = await b.person();
  await signIn(page, username, password);
  if (at) await page.goto(at);
  return page;
}

/** Picks `option` in the Ant Design select labelled `label`. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

/** The submit button of a form, whatever Ant Design does with the spacing of two Chinese characters. */
export const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name: new RegExp(`^${name.split('').join('\\s?')}$`) });

/** axe-core on the page as it stands: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Judge the screen at rest: not a button still under the pointer that clicked it, nor a colour
  // half-way through its transition (Ant Design animates both).
  await page.mouse.move(0, 0);
  await page.evaluate(
    'Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined)))',
  );
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `axe on ${screen}`).to.deep.equal([]);
}

/** Saves the screen as test-artifacts/screens/<name>.png and checks it with axe. */
export async function screen(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectAccessible(page, name);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * No button that decides or changes anything: what an auditor's screens must offer. Buttons that
 * only find, show, page, verify or download are allowed.
 */
const READING = /^(搜\s?索|search|close-circle|重\s?置|查\s?看.*|完整性校验|下载 CSV|下载 Excel|退出登录|展开行|关闭行|left|right|double-left|double-right|上一页|下一页|第 .+ 页)$/;

export async function expectReadOnly(page: Page, where: string): Promise<void> {
  // The name a screen reader gives: its label, its text, else the label of the icon it holds.
  const names = await page
    .getByRole('button')
    .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') || e.textContent?.trim() || e.querySelector('[aria-label]')?.getAttribute('aria-label') || e.getAttribute('title') || '').trim()));
  const deciding = names.filter((n) => !READING.test(n));
  expect(deciding, `${where}: buttons an auditor should not have`).to.deep.equal([]);
}

/** A browser test file's world: the console built, the API suite `open` starts, a browser on that API. */
export async function openConsole<S extends { h: ApiHarness }>(open: () => Promise<S>): Promise<S & { b: Browser }> {
  await ensureWebBuilt();
  const s = await open();
  return Object.assign(s, { b: await openBrowser(s.h.url) });
}

/**
 * A console suite's before() and after() on the shared API suite: the holder is filled in before(),
 * then `prepare` runs with it (data the suite's tests read).
 */
export function useConsole(prepare?: (s: ApiSuite & { b: Browser }) => Promise<unknown>): ApiSuite & { b: Browser } {
  const c = {} as ApiSuite & { b: Browser };
  before(async () => {
    Object.assign(c, await openConsole(() => openApiSuite()));
    await prepare?.(c);
  });
  after(() => closeConsole(c));
  return c;
}

/** Closes what openConsole opened (in after(): what before() got to open). */
export async function closeConsole(c: { b?: Browser; h?: ApiHarness }): Promise<void> {
  await c.b?.close();
  await c.h?.close();
}

/**
 * An officer's decision on screen: the reason typed into `form`'s 理由 field, the screen kept as
 * `shot` (screen()), then `form`'s button named `action` pressed.
 */
export async function decideWithReason(page: Page, form: Page | Locator, reason: string, shot: string, action: string | RegExp): Promise<void> {
  await form.getByLabel('理由').fill(reason);
  await screen(page, shot);
  await form.getByRole('button', { name: action }).click();
}

/**
 * The admin publishes a policy version on its page: effective `from`, the `fields` (label → value;
 * '' leaves a value out) typed in. The preview starts with no change and must count `changes`;
 * `check` reads it, the screen is kept as `shot`, then 发布 and the version's row shows.
 */
export async function publishPolicy(
  b: Browser,
  o: { from: string; fields: Record<string, string>; changes: number; shot: string; check: (preview: Locator) => Promise<unknown> },
): Promise<Page> {
  const page = await as(b, 'admin', 'demo', '/admin/policies');
  const preview = page.getByRole('status').filter({ hasText: '变化' });
  await preview.waitFor();
  expect(await preview.textContent()).to.contain('变化 0 项');
  await page.getByLabel('施行日期').fill(o.from);
  for (const [label, value] of Object.entries(o.fields)) await page.getByLabel(label).fill(value);
  await preview.filter({ hasText: `变化 ${o.changes} 项` }).waitFor();
  await o.check(preview);
  await screen(page, o.shot);
  await button(page, '发布').click();
  await page.getByRole('cell', { name: o.from }).waitFor();
  return page;
}
