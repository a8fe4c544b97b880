import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

interface CandleRow {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

describe('the app in a real Chromium, against the headless host', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '200']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the starter watchlist and a live status bar', async () => {
    await expect.poll(() => page.locator('.watchlist li').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    await expect
      .poll(() => page.getByTestId('status-source').textContent(), { timeout: 10_000 })
      .toContain('simulator · live');
    await expect.poll(() => page.getByTestId('status-rate').textContent(), { timeout: 10_000 }).not.toMatch(/^0 ticks/);
  });

  it('refuses a malformed symbol next to the field and keeps the watchlist', async () => {
    const before = await page.locator('.watchlist li').count();
    await page.getByLabel('Symbol to add').fill('bad symbol!');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => page.locator('#add-symbol-error').textContent()).toMatch(/symbol is 1-24 letters/i);
    expect(await page.locator('.watchlist li').count()).toBe(before);
  });

  it('adds a symbol, draws its live chart, and the last candle drawn equals the row in SQLite', async () => {
    await page.getByLabel('Symbol to add').fill('tsla');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => page.locator('.watchlist li[data-symbol="TSLA"]').count()).toBe(1);
    await expect.poll(() => page.locator('.chart-header h2').textContent()).toBe('TSLA');

    const legend = page.getByTestId('legend');
    await expect.poll(() => legend.getAttribute('data-volume'), { timeout: 15_000 }).not.toBeNull();
    const firstVolume = Number(await legend.getAttribute('data-volume'));
    const firstStart = Number(await legend.getAttribute('data-start'));
    // The chart keeps updating: the candle grows, or a new one opens.
    await expect
      .poll(
        async () =>
          Number(await legend.getAttribute('data-volume')) !== firstVolume ||
          Number(await legend.getAttribute('data-start')) !== firstStart,
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-live-chart.png') });

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent(), { timeout: 5_000 }).toContain('paused');

    const db = new Database(app.dbPath, { readonly: true, fileMustExist: true });
    try {
      const latestRow = () =>
        db
          .prepare(
            "SELECT start, open, high, low, close, volume FROM candles WHERE symbol = 'TSLA' AND interval = '1m' ORDER BY start DESC LIMIT 1",
          )
          .get() as CandleRow;
      const drawn = async (): Promise<CandleRow> => ({
        start: Number(await legend.getAttribute('data-start')),
        open: Number(await legend.getAttribute('data-open')),
        high: Number(await legend.getAttribute('data-high')),
        low: Number(await legend.getAttribute('data-low')),
        close: Number(await legend.getAttribute('data-close')),
        volume: Number(await legend.getAttribute('data-volume')),
      });
      // Batches already in flight when the source paused still land: compare once both sides settle.
      await expect
        .poll(async () => JSON.stringify(await drawn()) === JSON.stringify(latestRow()), { timeout: 10_000 })
        .toBe(true);
      const row = latestRow();
      expect(await drawn()).toEqual(row);
      expect(row.volume).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    await page.screenshot({ path: path.join(SHOTS, 'e2e-paused-chart.png') });
  });

  it('reorders the watchlist by drag and drop, stored in SQLite, and sorts by a column', async () => {
    const order = () =>
      page.locator('.watchlist li').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-symbol')));
    const before = await order();
    const last = before.at(-1)!;
    await page
      .locator(`.watchlist li[data-symbol="${last}"]`)
      .dragTo(page.locator(`.watchlist li[data-symbol="${before[0]}"]`));
    await expect.poll(order).toEqual([last, ...before.slice(0, -1)]);
    const db = new Database(app.dbPath, { readonly: true });
    const stored = db
      .prepare('SELECT symbol FROM watchlist ORDER BY position')
      .all()
      .map((r) => (r as { symbol: string }).symbol);
    db.close();
    expect(stored).toEqual([last, ...before.slice(0, -1)]);

    await page.getByRole('button', { name: /^Symbol/ }).click();
    await expect.poll(order).toEqual([...before].sort());
    await page.getByRole('button', { name: /^Symbol/ }).click();
    await page.getByRole('button', { name: /^Symbol/ }).click(); // third click: back to the saved order
    await expect.poll(order).toEqual([last, ...before.slice(0, -1)]);

    // By the change since the day's open, in price, biggest first: the rows as shown, read in one go.
    await page.getByRole('button', { name: /^Chg( sorted (ascending|descending))?$/ }).click();
    const changes = () =>
      page.locator('.watchlist li .col-change').evaluateAll((cells) =>
        // A symbol without a day's open yet shows a dash, and sorts last.
        cells.map((c) => (c.textContent === '—' ? -Infinity : Number(c.textContent!.replace(/[^\d.+-]/g, '')))),
      );
    await expect
      .poll(async () => {
        const shown = await changes();
        return shown.every((v, i) => !Number.isNaN(v) && (i === 0 || shown[i - 1]! >= v));
      })
      .toBe(true);
    await page.getByRole('button', { name: /^Chg( sorted (ascending|descending))?$/ }).click();
    await page.getByRole('button', { name: /^Chg( sorted (ascending|descending))?$/ }).click(); // back to the saved order
    await expect.poll(order).toEqual([last, ...before.slice(0, -1)]);
  });

  it('removes a symbol and the watchlist survives a reload from SQLite', async () => {
    await page.locator('.watchlist li[data-symbol="MSFT"]').hover();
    await page.getByRole('button', { name: 'Remove MSFT' }).click();
    await expect.poll(() => page.locator('.watchlist li[data-symbol="MSFT"]').count()).toBe(0);
    await page.reload();
    await expect.poll(() => page.locator('.watchlist li[data-symbol="TSLA"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.watchlist li[data-symbol="MSFT"]').count()).toBe(0);
  });
});

describe('the chart workspace in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('adds panels, changes their symbol and interval, rearranges and removes them, and keeps the layout', async () => {
    app = await startHeadlessApp(['--rate', '300']);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    await page.goto(app.url);
    const panels = page.getByTestId('panel');
    await expect.poll(() => panels.count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: '+ Panel' }).click();
    await page.getByRole('button', { name: '+ Panel' }).click();
    await expect.poll(() => panels.count()).toBe(3);
    await panels
      .nth(2)
      .getByLabel(/^Symbol of the .* panel$/)
      .selectOption('NVDA');
    await panels.nth(2).getByRole('button', { name: '5m', exact: true }).click();
    await expect.poll(() => panels.nth(2).locator('.chart-header h2').textContent()).toBe('NVDA');
    await expect
      .poll(() => panels.nth(2).getByTestId('legend').getAttribute('data-close'), { timeout: 15_000 })
      .not.toBeNull();
    await page.screenshot({ path: path.join(SHOTS, 'e2e-workspace-dark.png') });

    // Rearrange: drag the NVDA panel before the first one.
    await panels.nth(2).locator('.panel-tools').dragTo(panels.nth(0));
    await expect.poll(() => panels.nth(0).locator('.chart-header h2').textContent()).toBe('NVDA');

    await page.reload();
    await expect.poll(() => panels.count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => panels.nth(0).locator('.chart-header h2').textContent()).toBe('NVDA');
    expect(await panels.nth(0).getByRole('button', { name: '5m', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );

    await panels
      .nth(1)
      .getByRole('button', { name: /^Remove the .* panel$/ })
      .click();
    await expect.poll(() => panels.count()).toBe(2);
  });
});
