import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

describe('analyses view in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '400']);
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1280, height: 760 },
      acceptDownloads: true,
      colorScheme: 'dark',
    });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the company profile of the selected symbol', async () => {
    await expect.poll(() => page.getByTestId('company-card').textContent(), { timeout: 10_000 }).toContain('Sector');
    const db = new Database(app.dbPath, { readonly: true });
    const selected = (await page.locator('.watchlist li.selected').getAttribute('data-symbol'))!;
    const company = db.prepare('SELECT sector, country FROM companies WHERE symbol = ?').get(selected) as {
      sector: string;
      country: string;
    };
    db.close();
    const card = (await page.getByTestId('company-card').textContent())!;
    expect(card).toContain(company.sector);
    expect(card).toContain(company.country);
    // The simulator made this profile up, and the card says so.
    expect(await page.getByTestId('company-simulated').textContent()).toBe('simulated');
  });

  it('exports the daily volume analysis as a CSV whose rows equal the database', async () => {
    await page.getByRole('button', { name: 'Analyses' }).click();
    await page.getByLabel('Analysis').selectOption('daily-volume');
    await expect
      .poll(() => page.getByTestId('analysis-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent()).toContain('paused');
    await page.waitForTimeout(500); // batches in flight when the source paused land first
    await page.screenshot({ path: path.join(SHOTS, 'e2e-analyses-dark.png') });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('daily-volume.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const db = new Database(app.dbPath, { readonly: true });
    const expected = db
      .prepare("SELECT start, symbol, volume FROM candles WHERE interval = '1d' ORDER BY start, symbol")
      .all() as Array<{ start: number; symbol: string; volume: number }>;
    db.close();
    expect(rows.length).toBe(expected.length);
    expect(rows.map((r) => [r.day, r.symbol, Number(r.volume)])).toEqual(
      expected.map((e) => [new Date(e.start).toISOString(), e.symbol, e.volume]),
    );
  });

  it('refuses a malformed symbol filter next to the field', async () => {
    // The chart view stays mounted (hidden) behind this one, with its own symbol fields.
    await page.locator('section.analyses').getByLabel('Symbol').fill('not a symbol!');
    await expect
      .poll(() => page.locator('.analysis-filters .field-error').first().textContent())
      .toMatch(/symbol is 1-24/i);
  });
});
