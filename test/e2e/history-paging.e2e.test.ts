import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../engine/store/database.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { decodeColumnFrame, encodeColumnFrame } from '../../engine/api/column-frame.ts';
import { openOnePanel } from '../support/chart-page.ts';
import { launchChromium } from '../support/chromium.ts';
import { minuteCandle } from '../support/minute-candle.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const SYMBOL = 'DEEPHIST';
const STORED = 5_000;
const PAGE = 2_000;
const MINUTE = 60_000;

/** DEEPHIST on the watchlist, with 5,000 one-minute candles ending where its live ones begin. */
function seed(dbPath: string): number[] {
  const db = openDatabase(dbPath);
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const starts = Array.from({ length: STORED }, (_, i) => last - (STORED - 1 - i) * MINUTE);
  const candles = starts.map((start, i) => {
    const close = 100 + Math.sin(i / 50) * 10;
    const bar = { open: close - 0.2, high: close + 0.5, low: close - 0.5, close, volume: 100 + (i % 13) };
    return minuteCandle(SYMBOL, start, bar, 3);
  });
  new BackfillCandles(db).fillMissing(candles);
  new WatchlistRepo(db).add(SYMBOL);
  db.close();
  return starts;
}

interface HistoryCall {
  symbol: string;
  to?: number;
  limit?: number;
}

describe('a chart panel pages older history in as the user scrolls back', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let starts: number[];
  const calls: HistoryCall[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-paging-')), 'market-monitor.db');
    starts = seed(dbPath);
    app = await startHeadlessApp(['--rate', '5'], { dbPath });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    page.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { name?: string; input?: HistoryCall };
        if (message.name === 'candles.history' && message.input?.symbol === SYMBOL) calls.push(message.input);
      });
    });
    await openOnePanel(page, app.url, SYMBOL);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads the newest page at mount, then the pages before it, until the stored history ends', async () => {
    const legend = page.getByTestId('legend');
    // The newest bar: the last stored one, or a live one after it.
    await expect
      .poll(async () => Number(await legend.getAttribute('data-start')), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(starts.at(-1)!);
    expect(calls).toEqual([{ symbol: SYMBOL, interval: '1m', limit: PAGE }]);

    // Zooming out with the wheel, then dragging the chart to the right, brings older bars into view.
    const chart = page.locator('section[aria-label="DEEPHIST chart"] [data-testid="chart"]');
    const box = (await chart.boundingBox())!;
    const middle = { x: box.x + box.width / 2, y: box.y + box.height / 3 };
    const scrollBack = async () => {
      await page.mouse.move(middle.x, middle.y);
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 600);
      await page.mouse.down();
      await page.mouse.move(middle.x + box.width / 3, middle.y, { steps: 8 });
      await page.mouse.up();
      await page.waitForTimeout(300);
    };
    for (let i = 0; i < 10 && calls.length < 2; i++) await scrollBack();
    await expect.poll(() => calls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // The page before the oldest bar loaded: the first page held the newest 2,000 minutes (a live
    // minute or two among them, so its oldest is one of the stored ones near index 3,000).
    const { to, ...rest } = calls[1]!;
    expect(rest).toEqual({ symbol: SYMBOL, interval: '1m', limit: PAGE });
    const firstPageOldest = starts.indexOf(to! + 1);
    expect(firstPageOldest).toBeGreaterThanOrEqual(STORED - PAGE);
    expect(firstPageOldest).toBeLessThanOrEqual(STORED - PAGE + 2);

    // The view stays on the bars it showed while the page lands at the left; scrolling on, the
    // crosshair at the left edge finds bars older than the first page held.
    await expect
      .poll(
        async () => {
          await scrollBack();
          await page.mouse.move(box.x + 8, box.y + box.height / 3);
          return Number(await legend.getAttribute('data-start'));
        },
        { timeout: 10_000 },
      )
      .toBeLessThan(to! + 1);
    await page.screenshot({ path: path.join(SHOTS, 'history-paged-back.png') });

    // Past the first stored candle there is nothing more to ask for.
    for (let i = 0; i < 8; i++) await scrollBack();
    await page.waitForTimeout(500);
    // Pages double (2,000 then 4,000): the third one came back with the last 1,000 or so, short.
    expect(calls).toHaveLength(3);
    expect(calls[2]!.limit).toBe(2 * PAGE);
    expect(starts.indexOf(calls[2]!.to! + 1)).toBeGreaterThan(0);
    // Each page redraws 2,000 to 7,000 bars and scrolls: on a busy 2-core machine, more than 30 s in all.
  }, 90_000);
  it('a panel switched to another interval before its history came drops the late answer', async () => {
    const slow = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    const errors: string[] = [];
    slow.on('pageerror', (e) => errors.push(e.message));
    // An unhandled rejection (a chart used after its removal throws) shows as a console error.
    slow.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // The first history answer (the first binary frame) comes 2 s late, and holds one candle no
    // other answer has: if the gone chart's answer reached the legend, its volume would show there.
    const STALE_VOLUME = 424_242;
    let first = true;
    await slow.routeWebSocket(/\/api/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (typeof message === 'string' || !first) return ws.send(message);
        first = false;
        const { id } = decodeColumnFrame(message);
        const one = (v: number) => new Float64Array([v]);
        const stale = encodeColumnFrame(id, {
          symbol: SYMBOL,
          interval: '1m',
          start: one(starts.at(-1)!),
          open: one(1),
          high: one(1),
          low: one(1),
          close: one(1),
          volume: one(STALE_VOLUME),
          turnover: one(STALE_VOLUME),
        });
        setTimeout(() => ws.send(Buffer.from(stale)), 2_000);
      });
    });
    await slow.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { legendVolumes: seen });
      new MutationObserver((records) => {
        for (const r of records) seen.push((r.target as HTMLElement).dataset.volume ?? '');
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-volume'] });
    });
    await openOnePanel(slow, app.url, SYMBOL);
    const intervals = slow.locator('section[aria-label="DEEPHIST chart"] [aria-label="Interval"]');
    await intervals.getByRole('button', { name: '5m', exact: true }).click();
    const legend = slow.getByTestId('legend');
    await expect
      .poll(async () => Number(await legend.getAttribute('data-start')) % (5 * MINUTE), { timeout: 15_000 })
      .toBe(0);
    await slow.waitForTimeout(2_500); // the late 1m answer has arrived by now
    expect(first).toBe(false);
    const seen = await slow.evaluate(() => (window as unknown as { legendVolumes: string[] }).legendVolumes);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(String(STALE_VOLUME));
    expect(errors).toEqual([]);
    await slow.close();
  });
});
