/**
 * Debian's Chromium driven by playwright-core (no browser download), one persistent context with
 * a fresh profile per test file. Each page is one person: the console keeps its token in the
 * tab's sessionStorage, so two pages of one context are two signed-in users.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every screen a journey visits (git-ignored); a few are copied to docs/screenshots. */
export const ARTIFACTS = path.join(__dirname, '../../test-artifacts/screens');

export interface Browser {
  context: BrowserContext;
  /** A new tab at the console's login page, as one person. */
  person(): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowser(baseURL: string, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/tools.sh as root (apt-get install chromium fonts-noto-cjk)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-chromium-'));
  const args = [
    '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-dev-shm-usage',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ];
  // launchPersistentContext passes --user-data-dir=<profile> itself: a fresh profile per file.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    baseURL,
    locale: opts.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(20_000);
  for (const p of context.pages()) await p.close();
  return {
    context,
    async person() {
      const page = await context.newPage();
      await page.goto('/login');
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
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

/** axe-core on the page as it stands: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
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
