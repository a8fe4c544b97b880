import type { Candle } from '../domain/candle.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * Candles from a history download. They only fill windows that hold no candle yet: a candle the
 * engine built from stored ticks keeps its window, so recomputing candles from the ticks table
 * still reproduces every candle that has ticks behind it. Backfilled candles have `trades = 0`.
 */
export class BackfillCandles {
  private readonly fill;

  constructor(db: SqliteDatabase) {
    const insert = db.prepare(`
      INSERT INTO candles (symbol, interval, start, open, high, low, close, volume, turnover, trades,
                           buy_volume, sell_volume, open_ts, close_ts)
      VALUES (@symbol, @interval, @start, @open, @high, @low, @close, @volume, @turnover, @trades,
              @buyVolume, @sellVolume, @openTs, @closeTs)
      ON CONFLICT (symbol, interval, start) DO NOTHING`);
    this.fill = db.transaction((candles: readonly Candle[]) => candles.filter((c) => insert.run(c).changes > 0));
  }

  /** Writes the candles whose window is still empty; returns those it wrote. */
  fillMissing(candles: readonly Candle[]): Candle[] {
    return this.fill(candles);
  }
}
