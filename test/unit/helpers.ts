import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { MarketMonitor, type MarketMonitorOptions } from '../../engine/app/market-monitor.ts';
import type { SqliteDatabase } from '../../engine/store/database.ts';

/** A fresh directory in the system temp dir; removed by the returned cleanup. */
export function tempDir(prefix = 'mm-unit-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Scratch databases and apps for one test file: what a test makes is undone after it, newest
 * first. Call it once at the file's top level (it registers the afterEach).
 */
export function scratch() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    /** Runs `cleanup` after the current test. */
    later(cleanup: () => Promise<void> | void): void {
      cleanups.push(cleanup);
    },
    /** A database file in a directory of its own, removed after the test. */
    dbFile(): string {
      const tmp = tempDir();
      cleanups.push(tmp.cleanup);
      return path.join(tmp.dir, 'market.db');
    },
    /** A MarketMonitor closed after the test unless the test closed it first (closing twice is a no-op). */
    async open(options: MarketMonitorOptions): Promise<MarketMonitor> {
      const app = await MarketMonitor.open(options);
      let closed = false;
      const close = app.close.bind(app);
      app.close = async () => {
        if (closed) return;
        closed = true;
        await close();
      };
      cleanups.push(() => app.close());
      return app;
    },
  };
}

export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Candles as stored, in a fixed order, for one interval (or all). */
export function storedCandles(db: SqliteDatabase, interval?: string): Record<string, unknown>[] {
  const columns =
    'symbol, interval, start, open, high, low, close, volume, turnover, trades, buy_volume, sell_volume, open_ts, close_ts';
  return interval
    ? (db.prepare(`SELECT ${columns} FROM candles WHERE interval = ? ORDER BY symbol, start`).all(interval) as Record<
        string,
        unknown
      >[])
    : (db.prepare(`SELECT ${columns} FROM candles ORDER BY interval, symbol, start`).all() as Record<
        string,
        unknown
      >[]);
}

/**
 * The oracle: candles recomputed in plain SQL from the stored `ticks` table. Open and close are the
 * first and last tick by (ts, id); id is the order in which the engine accepted them.
 */
export function sqlCandles(db: SqliteDatabase, interval: string, sizeMs: number): Record<string, unknown>[] {
  return db
    .prepare(
      `WITH w AS (SELECT id, symbol, ts, price, volume, side, ts - (ts % @size) AS start FROM ticks)
       SELECT symbol, @interval AS interval, start,
         (SELECT price FROM w o WHERE o.symbol = g.symbol AND o.start = g.start ORDER BY ts, id LIMIT 1) AS open,
         max(price) AS high,
         min(price) AS low,
         (SELECT price FROM w c WHERE c.symbol = g.symbol AND c.start = g.start ORDER BY ts DESC, id DESC LIMIT 1) AS close,
         sum(volume) AS volume,
         sum(price * volume) AS turnover,
         count(*) AS trades,
         total(CASE WHEN side = 'buy' THEN volume END) AS buy_volume,
         total(CASE WHEN side = 'sell' THEN volume END) AS sell_volume,
         min(ts) AS open_ts,
         max(ts) AS close_ts
       FROM w g GROUP BY symbol, start ORDER BY symbol, start`,
    )
    .all({ size: sizeMs, interval }) as Record<string, unknown>[];
}
