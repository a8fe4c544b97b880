// Anomaly markers as a user sees them on a chart, in a real Chromium: stored anomalies become arrows
// above the bars that hold them, read back from the price pane's own canvas.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../engine/domain/anomaly.ts';
import { AnomalyRepo } from '../../engine/store/anomaly-repo.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { openOnePanel } from '../support/chart-page.ts';
import { minuteCandle } from '../support/minute-candle.ts';
import { launchChromium } from '../support/chromium.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
/** `npm test` builds the renderer into dist/renderer first; a run of this file alone may point elsewhere. */
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();
const SYMBOL = 'MARKED';
const MINUTE = 60_000;
const BARS = 300;
/** The marked bars; the last one reaches higher than every other bar. */
const MARKED = [240, 260, 280];
const TALL = 280;
/** A longer history whose one marked bar is older than the newest page a panel loads (2,000 bars). */
const DEEP = 'OLDMARK';
const DEEP_BARS = 3_000;
const DEEP_MARKED = 400;

/** `bars` one-minute candles of `symbol` ending a minute ago, a volume spike stored on each marked bar. */
function seedSymbol(db: SqliteDatabase, symbol: string, bars: number, marked: readonly number[], tall = -1): void {
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const startOf = (i: number) => last - (bars - 1 - i) * MINUTE;
  const candles = Array.from({ length: bars }, (_, i) => {
    const up = i % 2 === 0;
    const [open, close] = up ? [100, 101] : [101, 100];
    return minuteCandle(symbol, startOf(i), { open, high: i === tall ? 104 : 101.5, low: 99.5, close, volume: 1_000 });
  });
  new BackfillCandles(db).fillMissing(candles);
  const anomalies: Anomaly[] = marked.map((i) => ({
    symbol,
    interval: '1m',
    start: startOf(i),
    kind: 'volume-spike',
    value: 5_000,
    threshold: 3,
    baseline: 1_000,
    window: 20,
    message: `${symbol} traded 5.0x its 20-bar average volume`,
  }));
  new AnomalyRepo(db).record(anomalies);
  new WatchlistRepo(db).add(symbol);
}

function seed(dbPath: string): void {
  const db = openDatabase(dbPath);
  seedSymbol(db, SYMBOL, BARS, MARKED, TALL);
  seedSymbol(db, DEEP, DEEP_BARS, [DEEP_MARKED]);
  db.close();
}

interface Arrow {
  /** Middle pixel column of the arrow, in the canvas's own pixels. */
  x: number;
  /** Lowest pixel row of the arrow (its tip). */
  tip: number;
  /** Highest row of a candle's pixels in that column, or -1 when none is there. */
  candleTop: number;
}

/** The orange arrows in the price pane, left to right, with the candle under each. */
async function arrows(page: Page, symbol = SYMBOL): Promise<Arrow[]> {
  return page.evaluate((symbol) => {
    const chart = document.querySelector(`section[aria-label="${symbol} chart"] [data-testid="chart"]`)!;
    const canvases = [...chart.querySelectorAll('canvas')].filter((c) => c.getBoundingClientRect().width > 200);
    // A pane draws on two stacked canvases of one size (the series below, the top layer above): the
    // price pane's are the highest on the page. Read them as one picture, the top layer first.
    const top = Math.min(...canvases.map((c) => Math.round(c.getBoundingClientRect().top)));
    const layers = canvases
      .filter((c) => Math.round(c.getBoundingClientRect().top) === top)
      .reverse()
      .map((c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height));
    const { width, height } = layers[0]!;
    const at = (x: number, y: number) => {
      const i = (y * width + x) * 4;
      const layer = layers.find((l) => l.data[i + 3]! > 200);
      return layer ? layer.data.subarray(i, i + 4) : null;
    };
    // #f5a623, allowing for antialiased edges.
    const orange = (px: Uint8ClampedArray | null) =>
      px !== null && Math.abs(px[0]! - 245) < 30 && Math.abs(px[1]! - 166) < 30 && px[2]! < 90;
    // A candle's body or wick: strongly green or red, and not an arrow.
    const candle = (px: Uint8ClampedArray | null) => px !== null && !orange(px) && Math.abs(px[0]! - px[1]!) > 60;
    const columns: { x: number; tip: number }[] = [];
    for (let x = 0; x < width; x++) {
      let tip = -1;
      for (let y = 0; y < height; y++) if (orange(at(x, y))) tip = y;
      if (tip >= 0) columns.push({ x, tip });
    }
    // Neighbouring columns belong to one arrow.
    const groups: { x: number; tip: number }[][] = [];
    for (const c of columns) {
      const group = groups.at(-1);
      if (group && c.x - group.at(-1)!.x <= 1) group.push(c);
      else groups.push([c]);
    }
    return groups.map((group) => {
      const x = group[Math.floor(group.length / 2)]!.x;
      // The wick is a pixel or two wide, and may round to either side of the arrow's middle.
      let candleTop = -1;
      for (let y = 0; y < height && candleTop < 0; y++)
        if ([x - 1, x, x + 1].some((cx) => candle(at(cx, y)))) candleTop = y;
      return { x, tip: Math.max(...group.map((c) => c.tip)), candleTop };
    });
  }, symbol);
}

describe('anomaly markers in a real Chromium', () => {
  let app: MarketMonitor;
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-markers-'));
    const dbPath = path.join(dir, 'market-monitor.db');
    seed(dbPath);
    app = await MarketMonitor.open({
      dbPath,
      overrides: { source: { kind: 'simulator', simulator: { ticksPerSecond: 1 } } },
    });
    // Paused before its first trade (a second away at this rate): a live bar, and the gap
    // anomaly its simulated price would be against the seeded ones, would join the seeded markers.
    app.setPaused(true);
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await openOnePanel(page, host.url, SYMBOL);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws an arrow above each bar that holds a stored anomaly, at that bar’s high', async () => {
    await expect.poll(async () => (await arrows(page)).length, { timeout: 15_000 }).toBe(MARKED.length);
    const found = await arrows(page);
    await page.screenshot({ path: path.join(SHOTS, 'anomaly-markers.png') });
    // Evenly spaced like the marked bars (20 bars apart each).
    const [a, b, c] = found.map((f) => f.x) as [number, number, number];
    expect(Math.abs(b - a - (c - b))).toBeLessThanOrEqual(2);
    for (const arrow of found) {
      // Just above its candle: the tip a few pixels over the candle's top, never on or below it.
      expect(arrow.candleTop).toBeGreaterThan(0);
      expect(arrow.tip).toBeLessThan(arrow.candleTop);
      expect(arrow.candleTop - arrow.tip).toBeLessThan(20);
    }
    // The tall bar's arrow sits higher than the others: it follows the bar's high.
    expect(found[2]!.tip).toBeLessThan(Math.min(found[0]!.tip, found[1]!.tip) - 10);
  });

  it('draws the marker of a bar older than the first page once scrolling back has loaded it', async () => {
    const deep = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await openOnePanel(deep, host.url, DEEP);
    await expect.poll(() => deep.getByTestId('legend').getAttribute('data-start')).not.toBeNull();
    const chart = deep.locator(`section[aria-label="${DEEP} chart"] [data-testid="chart"]`);
    const box = (await chart.boundingBox())!;
    const middle = { x: box.x + box.width / 2, y: box.y + box.height / 3 };
    // Zoomed out, then dragged toward older bars: the panel loads the page before its first one
    // (which held the newest 2,000 bars, none marked), and the marked bar's arrow appears.
    await deep.mouse.move(middle.x, middle.y);
    for (let i = 0; i < 10; i++) await deep.mouse.wheel(0, 600);
    await expect
      .poll(
        async () => {
          await deep.mouse.move(middle.x, middle.y);
          await deep.mouse.down();
          await deep.mouse.move(middle.x + box.width / 3, middle.y, { steps: 8 });
          await deep.mouse.up();
          await deep.waitForTimeout(300);
          return (await arrows(deep, DEEP)).length;
        },
        // Each drag waits for a page of history and a redraw: seconds apiece on a busy 2-core machine.
        { timeout: 60_000 },
      )
      .toBe(1);
    const [arrow] = await arrows(deep, DEEP);
    expect(arrow!.tip).toBeLessThan(arrow!.candleTop);
    await deep.screenshot({ path: path.join(SHOTS, 'anomaly-markers-paged.png') });
    await deep.close();
  }, 90_000);
});
