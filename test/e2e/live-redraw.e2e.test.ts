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

const SYMBOL = 'REDRAW';
const MINUTE = 60_000;
/** Every stored minute traded this much: the live minute outgrows it within seconds at 20 ticks/s. */
const STORED_VOLUME = 2_000;

/** 300 rising one-minute candles of STORED_VOLUME each, ending at the minute before this one. */
function seed(dbPath: string): void {
  const db = openDatabase(dbPath);
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const candles = Array.from({ length: 300 }, (_, i) =>
    minuteCandle(SYMBOL, last - (299 - i) * MINUTE, {
      open: 100,
      high: 101.5,
      low: 99.5,
      close: 101,
      volume: STORED_VOLUME,
    }),
  );
  new BackfillCandles(db).fillMissing(candles);
  new WatchlistRepo(db).add(SYMBOL);
  db.close();
}

/**
 * Installed before the app's scripts: counts the animation frames in which any canvas of the
 * symbol's chart was painted, and the WebSocket messages that brought a one-minute candle of it.
 */
function countPaints(symbol: string): void {
  const painted = new Set<HTMLCanvasElement>();
  const proto = CanvasRenderingContext2D.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['clearRect', 'fillRect', 'fillText', 'fill', 'stroke', 'drawImage']) {
    const native = proto[method]!;
    proto[method] = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
      painted.add(this.canvas as HTMLCanvasElement);
      return native.apply(this, args);
    };
  }
  const counts = { recording: false, frames: 0, messages: 0 };
  const frame = () => {
    const chart = document.querySelector(`section[aria-label="${symbol} chart"]`);
    if (counts.recording && chart && [...painted].some((canvas) => chart.contains(canvas))) counts.frames++;
    painted.clear();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (message: MessageEvent) => {
        const text = String(message.data);
        if (!counts.recording || !text.includes('"event":"candles"')) return;
        const candles = (JSON.parse(text) as { payload: Array<{ symbol: string; interval: string }> }).payload;
        if (candles.some((c) => c.symbol === symbol && c.interval === '1m')) counts.messages++;
      });
    }
  };
  Object.assign(window, { paintCounts: counts });
}

interface PaintCounts {
  recording: boolean;
  frames: number;
  messages: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('a live candle on a chart in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-redraw-')), 'market-monitor.db');
    seed(dbPath);
    app = await startHeadlessApp(['--rate', '20'], { dbPath });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.addInitScript(countPaints, SYMBOL);
    await openOnePanel(page, app.url, SYMBOL);
    await page.locator('[data-testid="legend"][data-volume]').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('paints the chart once per update, not a second time in the next frame', async () => {
    const read = () => page.evaluate(() => (window as unknown as { paintCounts: PaintCounts }).paintCounts);
    await page.evaluate(() => ((window as unknown as { paintCounts: PaintCounts }).paintCounts.recording = true));
    await page.waitForTimeout(4_000);
    await page.evaluate(() => ((window as unknown as { paintCounts: PaintCounts }).paintCounts.recording = false));
    const { frames, messages } = await read();
    expect(messages).toBeGreaterThan(20);
    // About one paint per message (a change of the axes' width lays the chart out again now and
    // then, which paints it twice); a full relayout at every update painted every canvas again in
    // the frame after, two frames per message.
    expect(frames).toBeLessThan(messages * 1.5);
    expect(frames).toBeGreaterThan(messages / 3);
  });

  it('rescales the volume pane as the live bar outgrows every stored one', async () => {
    // The live minute has traded three times a stored minute's volume.
    await expect
      .poll(async () => Number(await page.getByTestId('legend').getAttribute('data-volume')), { timeout: 30_000 })
      .toBeGreaterThan(3 * STORED_VOLUME);
    await page.waitForTimeout(300);
    const { green, red } = await volumeColumns(page, SYMBOL);
    const heights = [...green, ...red];
    // The scale runs to the largest volume in view: the stored bars shrank to a third of the live
    // one or less (a scale left at the stored volume would show them all at full height).
    expect(median(heights)).toBeLessThan(Math.max(...heights) * 0.4);
  });
});
