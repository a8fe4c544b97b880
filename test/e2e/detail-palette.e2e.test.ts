import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

interface CompanyRow {
  sector: string;
  industry: string;
  country: string;
  currency: string;
  trailing_pe: number | null;
  forward_pe: number | null;
  fifty_two_week_low: number | null;
  fifty_two_week_high: number | null;
  fifty_day_average: number | null;
  short_ratio: number | null;
}

/** The card's rows as label → text. */
async function detailFacts(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page
      .getByTestId('company-card')
      .locator('dl > div')
      .evaluateAll((rows) => rows.map((r) => [r.querySelector('dt')!.textContent, r.querySelector('dd')!.textContent])),
  ) as Record<string, string>;
}

/** Formats like the renderer does, in the page's own locale. */
const pagePrice = (page: Page, n: number) =>
  page.evaluate(
    (n) =>
      new Intl.NumberFormat(undefined, {
        minimumFractionDigits: Math.abs(n) < 1 ? 4 : 2,
        maximumFractionDigits: Math.abs(n) < 1 ? 4 : 2,
      }).format(n),
    n,
  );

describe('symbol detail and command palette in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '300']);
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1280, height: 760 },
      colorScheme: 'dark',
      acceptDownloads: true,
    });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the selected symbol: last price, day volume, 52-week range, 50-day average, P/E, short ratio, profile', async () => {
    const symbol = (await page.locator('.watchlist li').nth(1).getAttribute('data-symbol'))!;
    await page.locator('.watchlist li').nth(1).click();
    await expect.poll(() => page.getByTestId('company-card').getAttribute('aria-label')).toBe(`${symbol} details`);
    await expect.poll(() => page.getByTestId('detail-last').textContent(), { timeout: 10_000 }).not.toBe('—');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent()).toContain('paused');

    const db = new Database(app.dbPath, { readonly: true });
    const company = db.prepare('SELECT * FROM companies WHERE symbol = ?').get(symbol) as CompanyRow;
    db.close();
    const facts = await detailFacts(page);
    expect(facts['Sector']).toBe(company.sector);
    expect(facts['Industry']).toBe(company.industry);
    expect(facts['Country']).toBe(company.country);
    for (const [label, value] of [
      ['P/E (trailing)', company.trailing_pe],
      ['P/E (forward)', company.forward_pe],
      ['Short ratio', company.short_ratio],
    ] as const) {
      expect(facts[label], label).toBe(value === null ? '—' : await pagePrice(page, value));
    }
    // Prices say the unit they are quoted in.
    for (const [label, value] of [
      ['52-week low', company.fifty_two_week_low],
      ['52-week high', company.fifty_two_week_high],
      ['50-day average', company.fifty_day_average],
    ] as const) {
      expect(facts[label], label).toBe(value === null ? '—' : `${await pagePrice(page, value)} ${company.currency}`);
    }
    expect(await page.getByTestId('detail-unit').textContent()).toBe(company.currency);
    expect(facts['Market cap']).not.toBe('—');

    // Last price and day volume are the newest trade and the day's total in the database.
    await expect
      .poll(
        async () => {
          const check = new Database(app.dbPath, { readonly: true });
          const last = check
            .prepare('SELECT price FROM ticks WHERE symbol = ? ORDER BY ts DESC, id DESC LIMIT 1')
            .get(symbol) as { price: number };
          check.close();
          return (await page.getByTestId('detail-last').textContent()) === (await pagePrice(page, last.price));
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(Number((await detailFacts(page))['Day volume']!.replace(/\D/g, ''))).toBeGreaterThan(0);
    expect(await page.getByTestId('range-marker').count()).toBe(1);
    await page.getByTestId('company-card').screenshot({ path: path.join(SHOTS, 'symbol-detail-dark.png') });
    await page.getByRole('button', { name: 'Resume' }).click();
  });

  it('opens the command palette with Ctrl+K and runs fuzzy-matched commands', async () => {
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await page.keyboard.press('Control+k');
    await palette.waitFor();
    await page.keyboard.type('shw anl');
    const first = palette.getByRole('option').first();
    expect(await first.textContent()).toBe('Show Analyses' + 'Alt+2');
    await page.screenshot({ path: path.join(SHOTS, 'command-palette-dark.png') });
    await page.keyboard.press('Enter');
    await page.getByTestId('analysis-table').or(page.locator('.analyses .empty')).first().waitFor();
    expect(await palette.count()).toBe(0);

    // Escape closes it without running anything.
    await page.keyboard.press('Meta+k');
    await palette.waitFor();
    await page.keyboard.press('Escape');
    expect(await palette.count()).toBe(0);

    // Export the current analysis.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);

    // Toggle the theme, through the stored setting.
    const before = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
    await page.keyboard.press('Control+k');
    await page.keyboard.type('theme');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme))
      .not.toBe(before);

    // Add a symbol typed into the palette.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('add tsla');
    expect(await palette.getByRole('option').last().textContent()).toBe('Add TSLA to the watchlist');
    await palette.getByRole('option', { name: 'Add TSLA to the watchlist' }).click();
    await page.locator('.watchlist li[data-symbol="TSLA"]').waitFor({ timeout: 10_000 });

    // Arrow keys choose.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('show');
    await page.keyboard.press('ArrowDown');
    expect(await palette.locator('[aria-selected="true"]').textContent()).toBe(
      await palette.getByRole('option').nth(1).textContent(),
    );
    await page.keyboard.press('Escape');
  });
});
