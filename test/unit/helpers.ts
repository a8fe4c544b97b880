import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SqliteDatabase } from '../../engine/store/database.ts';

/** A fresh directory in the system temp dir; removed by the returned cleanup. */
export function tempDir(prefix = 'mm-unit-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
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
