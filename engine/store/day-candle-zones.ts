import type { Candle } from '../domain/candle.ts';
import type { SqliteDatabase } from './database.ts';
import { MarketStore } from './market-store.ts';

/**
 * Which time zone each symbol's stored day candles are cut in. A symbol's zone may become known
 * after its candles were stored (its first quote, a setting): then the day candles are cut again,
 * and the record says so, so it happens once.
 */
export class DayCandleZones {
  private readonly db: SqliteDatabase;
  private readonly store: MarketStore;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.store = new MarketStore(db);
  }

  get(symbol: string): string | undefined {
    return this.db.prepare('SELECT time_zone FROM day_candle_zones WHERE symbol = ?').pluck().get(symbol) as
      string | undefined;
  }

  /** Every symbol with a record. */
  symbols(): string[] {
    return this.db.prepare('SELECT symbol FROM day_candle_zones ORDER BY symbol').pluck().all() as string[];
  }

  /** The zone of a symbol's first day candles; a symbol with a record keeps it (use recut to change it). */
  claim(symbol: string, timeZone: string): string {
    this.db.prepare('INSERT OR IGNORE INTO day_candle_zones (symbol, time_zone) VALUES (?, ?)').run(symbol, timeZone);
    return this.get(symbol)!;
  }

  /**
   * Replaces the symbol's day candles with `recut(old day candles, one-minute candles)` and records
   * `timeZone`, in one transaction: a crash leaves the old cut and its record, to be redone.
   */
  recut(symbol: string, timeZone: string, recut: (days: Candle[], minutes: Candle[]) => Candle[]): Candle[] {
    const run = this.db.transaction(() => {
      const all = { symbol, limit: Number.MAX_SAFE_INTEGER };
      const days = recut(
        this.store.candles({ ...all, interval: '1d' }),
        this.store.candles({ ...all, interval: '1m' }),
      );
      this.db.prepare("DELETE FROM candles WHERE symbol = ? AND interval = '1d'").run(symbol);
      this.store.saveCandles(days);
      this.db
        .prepare(
          `INSERT INTO day_candle_zones (symbol, time_zone) VALUES (?, ?)
           ON CONFLICT (symbol) DO UPDATE SET time_zone = excluded.time_zone`,
        )
        .run(symbol, timeZone);
      return days;
    });
    return run.immediate();
  }
}
