// Compare in a real Chromium: other symbols overlaid on a panel in percent, each with its colour
// and a legend entry giving its change and the correlation of its returns over the visible bars.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { openOnePanel } from '../support/chart-page.ts';
import { launchChromium } from '../support/chromium.ts';
import { minuteCandle } from '../support/minute-candle.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();
const MINUTE = 60_000;
const BARS = 300;

/**
 * ALPHA wanders; BETA is twice ALPHA (the same returns: correlation 1, the same % change); GAMMA
 * makes each of ALPHA's returns the other way (correlation -1).
 */
function seed(dbPath: string): void {
  const db = openDatabase(dbPath);
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const alpha = Array.from({ length: BARS }, (_, i) => 100 + Math.sin(i / 9) * 6 + i / 20);
  const gamma = [50];
  for (let i = 1; i < BARS; i++) gamma.push(gamma[i - 1]! * (1 - (alpha[i]! / alpha[i - 1]! - 1)));
  const series = { ALPHA: alpha, BETA: alpha.map((c) => c * 2), GAMMA: gamma };
  const candles = Object.entries(series).flatMap(([symbol, closes]) =>
    closes.map((close, i) =>
      minuteCandle(symbol, last - (BARS - 1 - i) * MINUTE, {
        open: close,
        high: close * 1.001,
        low: close * 0.999,
        close,
        volume: 10,
      }),
    ),
  );
  new BackfillCandles(db).fillMissing(candles);
  for (const symbol of Object.keys(series)) new WatchlistRepo(db).add(symbol);
  db.close();
}

describe('comparing symbols on a chart panel', () => {
  let dir: string;
  let app: MarketMonitor;
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-compare-'));
    const dbPath = path.join(dir, 'market-monitor.db');
    seed(dbPath);
    app = await MarketMonitor.open({ dbPath, statusEveryMs: 100 });
    // No simulated trades: the stored bars alone are compared.
    app.setPaused(true);
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await openOnePanel(page, host.url, 'ALPHA');
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const entry = (symbol: string) => page.locator(`[data-testid="compare-legend"] li[data-symbol="${symbol}"]`);

  it('overlays a symbol with its change and correlation, and a second in another colour', async () => {
    const picker = page.getByRole('combobox', { name: 'Compare ALPHA with' });
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['Compare…', 'BETA', 'GAMMA']);
    await picker.selectOption('BETA');
    await expect.poll(() => entry('BETA').locator('.correlation').textContent(), { timeout: 15_000 }).toBe('ρ 1.00');
    const main = await page.locator('.compare-main b').textContent();
    expect(main).toMatch(/^[+-]?\d+\.\d+%$/);
    expect(await entry('BETA').locator('b').textContent()).toBe(main);

    await picker.selectOption('GAMMA');
    await expect.poll(() => entry('GAMMA').locator('.correlation').textContent(), { timeout: 15_000 }).toBe('ρ -1.00');
    const colours = await page
      .locator('[data-testid="compare-legend"] .swatch')
      .evaluateAll((swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor));
    expect(new Set(colours).size).toBe(2);
    expect(await picker.locator('option').allTextContents()).toEqual(['Compare…']);
    await page.screenshot({ path: path.join(SHOTS, 'chart-compare.png') });
  });

  it('stops comparing from the legend, and the price scale is in prices again with none left', async () => {
    await page.getByRole('button', { name: 'Stop comparing BETA' }).click();
    await expect.poll(() => entry('BETA').count()).toBe(0);
    expect(await entry('GAMMA').count()).toBe(1);
    await page.getByRole('button', { name: 'Stop comparing GAMMA' }).click();
    await expect.poll(() => page.locator('[data-testid="compare-legend"]').count()).toBe(0);
    const saved = await page.evaluate(() => localStorage.getItem('market-monitor.layout'));
    expect(JSON.parse(saved!).panels[0].compare).toEqual([]);
  });
});
