import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

/** A London listing as Yahoo describes it: quoted in pence, its market cap in pence too (£21.5 billion). */
const LONDON = {
  symbol: 'VOD.L',
  shortName: 'VODAFONE GROUP PLC',
  longName: 'Vodafone Group Public Limited Company',
  sector: 'Communication Services',
  industry: 'Telecom Services',
  country: 'United Kingdom',
  currency: 'GBp',
  exchange: 'LSE',
  marketCap: 2_150_000_000_000,
  trailingPe: null,
  forwardPe: 9.12,
  fiftyTwoWeekHigh: 80.5,
  fiftyTwoWeekLow: 62.25,
  fiftyDayAverage: 71.3,
  shortRatio: null,
  exchangeTimeZone: null,
  updatedAt: Date.now(),
  simulated: false,
};

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
const pageNumber = (page: Page, n: number, options: Intl.NumberFormatOptions) =>
  page.evaluate(([n, options]) => new Intl.NumberFormat(undefined, options).format(n), [n, options] as const);

describe('a stock quoted in pence, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-')), 'market-monitor.db');
    const db = openDatabase(dbPath);
    new CompanyRepo(db).upsert(LONDON);
    new WatchlistRepo(db).add(LONDON.symbol);
    new WatchlistRepo(db).add('AAPL');
    db.close();
    app = await startHeadlessApp(['--rate', '200'], { dbPath });
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1280, height: 760 },
      colorScheme: 'dark',
      acceptDownloads: true,
    });
    await page.goto(app.url);
    await page.locator(`.watchlist li[data-symbol="${LONDON.symbol}"]`).waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows prices in pence and the market cap in pounds, and says so', async () => {
    await page.locator(`.watchlist li[data-symbol="${LONDON.symbol}"]`).click();
    await expect
      .poll(() => page.getByTestId('company-card').getAttribute('aria-label'))
      .toBe(`${LONDON.symbol} details`);
    await expect.poll(() => page.getByTestId('detail-last').textContent(), { timeout: 10_000 }).not.toBe('—');
    const facts = await detailFacts(page);
    const compact = { notation: 'compact', maximumFractionDigits: 2 } as const;
    const price = { minimumFractionDigits: 2, maximumFractionDigits: 2 } as const;
    expect(facts['Market cap']).toBe(`${await pageNumber(page, LONDON.marketCap / 100, compact)} GBP`);
    expect(facts['52-week low']).toBe(`${await pageNumber(page, LONDON.fiftyTwoWeekLow, price)} GBp`);
    expect(facts['52-week high']).toBe(`${await pageNumber(page, LONDON.fiftyTwoWeekHigh, price)} GBp`);
    expect(facts['50-day average']).toBe(`${await pageNumber(page, LONDON.fiftyDayAverage, price)} GBp`);
    expect(await page.getByTestId('detail-unit').textContent()).toBe('GBp');
    expect(await page.getByTestId('detail-unit-note').textContent()).toBe(
      'Prices in pence (GBp; 100 = 1 GBP), market cap in GBP',
    );
    await page.getByTestId('company-card').screenshot({ path: path.join(SHOTS, 'symbol-detail-pence-dark.png') });

    // A stock quoted in a major unit (the simulator's made-up profile) has no note: prices and totals share it.
    const db = new Database(app.dbPath, { readonly: true });
    const { currency } = db.prepare("SELECT currency FROM companies WHERE symbol = 'AAPL'").get() as {
      currency: string;
    };
    db.close();
    await page.locator('.watchlist li[data-symbol="AAPL"]').click();
    await expect.poll(() => page.getByTestId('detail-unit').textContent(), { timeout: 10_000 }).toBe(currency);
    expect(await page.getByTestId('detail-unit-note').count()).toBe(0);
  });

  it('exports the daily traded value in pounds, with a currency column', async () => {
    await page.getByRole('button', { name: 'Analyses' }).click();
    await page.getByLabel('Analysis').selectOption('daily-volume');
    await expect
      .poll(() => page.getByTestId('analysis-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent()).toContain('paused');
    await page.waitForTimeout(500); // batches in flight when the source paused land first
    const headers = await page.getByTestId('analysis-table').locator('thead th').allTextContents();
    expect(headers).toContain('currency');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    const db = new Database(app.dbPath, { readonly: true });
    const stored = db
      .prepare("SELECT start, symbol, turnover FROM candles WHERE interval = '1d' ORDER BY start, symbol")
      .all() as Array<{ start: number; symbol: string; turnover: number }>;
    db.close();
    const london = stored.filter((s) => s.symbol === LONDON.symbol);
    expect(london.length).toBeGreaterThan(0);
    expect(
      rows.filter((r) => r.symbol === LONDON.symbol).map((r) => [r.day, Number(r.traded_value), r.currency]),
    ).toEqual(london.map((s) => [new Date(s.start).toISOString(), s.turnover / 100, 'GBP']));
  });
});
