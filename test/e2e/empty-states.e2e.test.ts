import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const TABS = ['Chart', 'Analyses', 'Alerts', 'Pipeline', 'Settings'] as const;

/** Sums Chromium's layout-shift entries from page load on, as Cumulative Layout Shift does. */
async function watchLayoutShift(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { layoutShift: number; layoutShifts: string[] };
    w.layoutShift = 0;
    w.layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<
        PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: Array<{ node?: Node }> }
      >) {
        if (entry.hadRecentInput) continue;
        w.layoutShift += entry.value;
        const nodes = (entry.sources ?? []).map((s) =>
          s.node instanceof Element ? s.node.className || s.node.tagName : String(s.node?.nodeName),
        );
        w.layoutShifts.push(`${entry.value.toFixed(4)} ${nodes.join(', ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

const layoutShift = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { layoutShift: number; layoutShifts: string[] };
    return { layoutShift: w.layoutShift, layoutShifts: w.layoutShifts };
  });

describe('empty states and layout stability in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '200']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  for (const scheme of ['dark', 'light'] as const) {
    it(`loads each view without moving what is on screen (${scheme})`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: scheme });
      await watchLayoutShift(page);
      for (const tab of TABS) {
        await page.goto(app.url);
        await page.getByRole('button', { name: tab, exact: true }).click();
        // Reload on this view: what matters is the view filling in after a cold start.
        await page.reload();
        await page.waitForTimeout(3_000);
        const { layoutShift: cls, layoutShifts } = await layoutShift(page);
        await page.screenshot({ path: path.join(SHOTS, `loaded-${tab.toLowerCase()}-${scheme}.png`) });
        expect(cls, `${tab}: ${layoutShifts.join(' | ')}`).toBeLessThan(0.05);
      }
      await page.close();
    });
  }

  it('tells a new user what to do on every view when there is nothing yet', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    while ((await page.locator('.watchlist li').count()) > 0) {
      const symbol = await page.locator('.watchlist li').first().getAttribute('data-symbol');
      await page.locator('.watchlist li').first().hover();
      await page.getByRole('button', { name: `Remove ${symbol}` }).click();
      await page.locator(`.watchlist li[data-symbol="${symbol}"]`).waitFor({ state: 'detached' });
    }
    // The chart panels say how to add a symbol, instead of showing a symbol that is gone.
    await page.getByText('Add a symbol to the watchlist to see its live chart').waitFor();
    expect(await page.locator('.chart-panel[aria-label$=" chart"]').count()).toBe(0);
    expect(await page.locator('.watchlist').textContent()).toContain('Your watchlist is empty');
    for (const tab of TABS) {
      await page.getByRole('button', { name: tab, exact: true }).click();
      await page.waitForTimeout(1_000);
      await page.screenshot({ path: path.join(SHOTS, `empty-${tab.toLowerCase()}-dark.png`) });
    }
    await page.close();
  });
});
