import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const VIEWS = [
  { tab: 'Chart', ready: '[data-testid="legend"][data-close]' },
  { tab: 'Analyses', ready: '[data-testid="analysis-table"]' },
  { tab: 'Alerts', ready: 'button:has-text("Add alert")' },
  { tab: 'Pipeline', ready: '[data-testid="partitions"]' },
  { tab: 'Settings', ready: '[aria-label="Ticks per second"]' },
];

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = rgb
    .match(/\d+/g)!
    .slice(0, 3)
    .map((v) => Number(v) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe('every view in both themes, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '300']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  for (const scheme of ['dark', 'light'] as const) {
    it(`renders each view readably with the ${scheme} system theme`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: scheme });
      await page.goto(app.url);
      for (const view of VIEWS) {
        await page.getByRole('button', { name: view.tab, exact: true }).click();
        await page.locator(view.ready).first().waitFor({ timeout: 15_000 });
        // The page background is the root element's (the app itself is transparent over it).
        const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
        const text = await page.evaluate(() => getComputedStyle(document.querySelector('.top-bar h1')!).color);
        if (scheme === 'dark') expect(luminance(background)).toBeLessThan(0.2);
        else expect(luminance(background)).toBeGreaterThan(0.8);
        // Text stands out from its background.
        expect(Math.abs(luminance(text) - luminance(background))).toBeGreaterThan(0.6);
        await page.screenshot({ path: path.join(SHOTS, `view-${view.tab.toLowerCase()}-${scheme}.png`) });
      }
      await page.close();
    });
  }

  it('follows the theme chosen in Settings over the system one, after a reload too', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Theme').selectOption('light');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme), { timeout: 10_000 })
      .toBe('light');
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(luminance(background)).toBeGreaterThan(0.8); // light, though the system asks for dark
    await page.getByLabel('Theme').selectOption('system');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? 'unset')).toBe('unset');
    await page.close();
  });

  it('answers keyboard shortcuts: views, new panel, help', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    const panels = page.getByTestId('panel');
    const before = await panels.count();
    await page.keyboard.press('Alt+KeyN');
    await expect.poll(() => panels.count()).toBe(before + 1);
    await page.keyboard.press('Alt+Digit4');
    await expect
      .poll(() => page.getByRole('button', { name: 'Pipeline', exact: true }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.keyboard.press('?');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true);
    await page.keyboard.press('/');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Symbol to add');
    await page.close();
  });

  it('fires an alert on simulated data: history, toast, and the row in SQLite', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    const symbol = (await page.locator('.watchlist li').first().getAttribute('data-symbol'))!;
    const price = Number(
      (await page.locator('.watchlist li').first().locator('.col-last').textContent())!.replace(/,/g, ''),
    );
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByLabel('Threshold').fill('-1');
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect.poll(() => page.locator('.alerts .field-error').allTextContents()).toContain('must be above zero');
    await page.getByLabel('Alert symbol').fill(symbol);
    await page.getByLabel('Alert kind').selectOption('price-above');
    await page.getByLabel('Threshold').fill(String(Math.floor(price / 2)));
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect.poll(() => page.getByTestId('alert-rules').textContent()).toContain(`${symbol} trades above`);
    await expect.poll(() => page.getByTestId('alert-history').locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('alert-history').textContent()).toContain(`above ${Math.floor(price / 2)}`);
    await expect
      .poll(() => page.locator('.toast').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining(symbol)]));
    await page.screenshot({ path: path.join(SHOTS, 'e2e-alerts.png') });
    // It fired once: the price stays above the line, so the rule stays quiet until it crosses back.
    await page.waitForTimeout(1_500);
    expect(await page.getByTestId('alert-history').locator('tbody tr').count()).toBe(1);
    const db = new Database(app.dbPath, { readonly: true });
    const events = db.prepare('SELECT symbol, message FROM alert_events').all() as Array<{
      symbol: string;
      message: string;
    }>;
    db.close();
    expect(events).toHaveLength(1);
    expect(events[0]!.symbol).toBe(symbol);
    await page.close();
  });
});
