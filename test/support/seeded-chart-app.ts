import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { launchChromium } from './chromium.ts';
import { minuteCandle } from './minute-candle.ts';

const MINUTE = 60_000;
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();

export interface SeededChartApp {
  app: MarketMonitor;
  host: HeadlessHost;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

/**
 * The app in Chromium over a database of one-minute bars ending a minute ago, one per close given,
 * for each symbol (all on the watchlist), with the simulator paused: the charts show the stored bars
 * alone. The page is not opened yet.
 */
export async function startSeededChartApp(
  closes: Record<string, number[]>,
  /** More to store before the app opens (profiles, day candles, lots). */
  seed?: (db: SqliteDatabase) => void,
): Promise<SeededChartApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-seeded-'));
  const dbPath = path.join(dir, 'market-monitor.db');
  const db = openDatabase(dbPath);
  const last = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const candles = Object.entries(closes).flatMap(([symbol, list]) =>
    list.map((close, i) =>
      minuteCandle(symbol, last - (list.length - 1 - i) * MINUTE, {
        open: close,
        high: close * 1.001,
        low: close * 0.999,
        close,
        volume: 10,
      }),
    ),
  );
  new BackfillCandles(db).fillMissing(candles);
  for (const symbol of Object.keys(closes)) new WatchlistRepo(db).add(symbol);
  seed?.(db);
  db.close();
  const app = await MarketMonitor.open({ dbPath, statusEveryMs: 100 });
  app.setPaused(true);
  const host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
  return {
    app,
    host,
    browser,
    page,
    async stop() {
      await browser.close();
      await host.close();
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
