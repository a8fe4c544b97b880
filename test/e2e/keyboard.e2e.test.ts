import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const watchlist = (page: Page) =>
  page.locator('.watchlist li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-symbol')));
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

describe('keyboard use and the page icon, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('reaches a watchlist row’s remove button with Tab, shows it, and removes with Enter or Delete', async () => {
    const [first, second, ...rest] = await watchlist(page);
    await page.locator(`.watchlist li[data-symbol="${first}"] button.symbol`).focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`Remove ${first}`);
    expect(
      await page.locator(`.watchlist li[data-symbol="${first}"] .remove`).evaluate((b) => getComputedStyle(b).opacity),
    ).toBe('1');
    await page.keyboard.press('Enter');
    await expect.poll(() => watchlist(page)).toEqual([second, ...rest]);

    await page.locator(`.watchlist li[data-symbol="${second}"] button.symbol`).focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => watchlist(page)).toEqual(rest);
  });

  it('closes the shortcut help with Escape', async () => {
    await page.locator('body').click({ position: { x: 700, y: 20 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
  });

  it('has a favicon the host serves', async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const response = await page.request.get(new URL(href!, page.url()).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('image/svg+xml');
    expect(await response.text()).toContain('<svg');
  });
});
