import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../engine/store/database.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { openOnePanel, volumeColumns } from '../support/chart-page.ts';
import { minuteCandle } from '../support/minute-candle.ts';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const SYMBOL = 'VOLPAT';
const MINUTE = 60_000;
/** Rising minutes trade a million shares, falling ones half that: live ticks (a few hundred) are lost in them. */
const UP_VOLUME = 1_000_000;
const DOWN_VOLUME = 500_000;

/** 300 one-minute candles ending at the current minute, alternately up (even) and down (odd). */
function seed(dbPath: string): void {
  const db = openDatabase(dbPath);
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const candles = Array.from({ length: 300 }, (_, i) => {
    const up = i % 2 === 0;
    const [open, close] = up ? [100, 101] : [101, 100];
    const volume = up ? UP_VOLUME : DOWN_VOLUME;
    return minuteCandle(SYMBOL, last - (299 - i) * MINUTE, { open, high: 101.5, low: 99.5, close, volume });
  });
  new BackfillCandles(db).fillMissing(candles);
  new WatchlistRepo(db).add(SYMBOL);
  db.close();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('the volume pane in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-volume-')), 'market-monitor.db');
    seed(dbPath);
    app = await startHeadlessApp(['--rate', '2'], { dbPath });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await openOnePanel(page, app.url, SYMBOL);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('draws a bar per candle in view, green when it rose and red when it fell, as tall as its volume', async () => {
    await expect.poll(() => page.getByTestId('legend').getAttribute('data-volume'), { timeout: 15_000 }).not.toBeNull();
    await page.waitForTimeout(500);
    const { green, red } = await volumeColumns(page, SYMBOL);
    await page.screenshot({ path: path.join(SHOTS, 'volume-pane.png') });
    // Dozens of bars of each colour (about 140 candles are in view, every other one up).
    expect(green.length).toBeGreaterThan(40);
    expect(red.length).toBeGreaterThan(40);
    // Half the volume, half the height (the scale runs from 0 to the largest volume in view).
    const ratio = median(red) / median(green);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);
  });
});
