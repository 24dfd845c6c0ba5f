/**
 * The sign-in page's `next` (where it returns after signing in): a page of this console only. A
 * backslash is a slash to the browser's URL parser, so `/\evil.example` is another site.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { useConsole } from './browser';
import { pageOfThisSite } from '../../web/src/lib/next-page';

const ORIGIN = 'http://127.0.0.1:8080';

describe('Console sign-in: where it returns (pure rule)', () => {
  it('keeps a path of this site and refuses anything that leaves it', () => {
    expect(pageOfThisSite('/reports?from=2026-01-01#top', ORIGIN)).to.equal('/reports?from=2026-01-01#top');
    for (const next of ['/\\evil.example', '\\\\evil.example', '/\\/evil.example', '//evil.example', 'https://evil.example/x', '/\t/evil.example', '/.//evil.example', '/x/..//evil.example', '/\n/evil.example', 'javascript:alert(1)', 'http://127.0.0.1:8081/', null, '']) {
      expect(pageOfThisSite(next, ORIGIN), JSON.stringify(next)).to.equal(null);
    }
    fc.assert(fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath(), fc.string().map((x) => `/${x}`)), (next) => {
      const page = pageOfThisSite(next, ORIGIN);
      if (page === null) return;
      expect(page.startsWith('/'), page).to.equal(true);
      expect(page).to.not.contain('\\');
      expect(new URL(page, ORIGIN).origin).to.equal(ORIGIN);
    }));
  });
});

describe('Web console (zh-CN): sign-in returns only to a page of the console', function () {
  this.timeout(300_000);
  const s = useConsole();

  /** Signs in on the login page as it stands (its `next` kept). */
  const signInHere = async (page: Page, username: string) => {
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill('demo');
    await page.getByRole('button', { name: /^登\s?录$/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };

  it('goes to the home page instead of a next that is another site', async () => {
    const page = await s.b.person();
    const origin = new URL(s.h.url).origin;
    for (const next of ['/\\evil.example', '/\\/evil.example', '/.//evil.example', 'https://evil.example/']) {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await signInHere(page, 'auditor');
      const at = new URL(page.url());
      expect(at.origin, next).to.equal(origin);
      expect(at.pathname, next).to.not.equal('/login');
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.waitForURL((u) => u.pathname === '/login');
    }
    await page.goto(`/login?next=${encodeURIComponent('/reports?groupBy=community')}`);
    await signInHere(page, 'auditor');
    expect(new URL(page.url()).pathname + new URL(page.url()).search).to.equal('/reports?groupBy=community');
    await page.close();
  });
});
