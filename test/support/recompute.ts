import { expect } from 'vitest';
import type { SqliteDatabase } from '../../engine/store/database.ts';
import { sqlCandles, storedCandles } from '../unit/helpers.ts';

/** The intervals of fixed length, whose windows plain SQL can cut (days follow an exchange's calendar). */
const FIXED: Record<string, number> = { '1s': 1_000, '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000 };

/**
 * Every stored candle of a fixed-length interval equals its recomputation in SQL from the stored
 * ticks, and no window with ticks lacks its candle. Turnover is a sum of products that the engine
 * and SQLite add in different orders, so it is compared to a relative 1e-9; all else exactly.
 */
export function expectCandlesEqualRecomputation(db: SqliteDatabase): void {
  for (const [interval, size] of Object.entries(FIXED)) {
    const stored = storedCandles(db, interval);
    const recomputed = sqlCandles(db, interval, size);
    expect(stored.length, interval).toBe(recomputed.length);
    stored.forEach((candle, i) => {
      const want = recomputed[i]!;
      const { turnover, ...rest } = candle;
      const { turnover: wantTurnover, ...wantRest } = want;
      expect(rest, `${interval} ${String(candle.symbol)} ${String(candle.start)}`).toEqual(wantRest);
      expect(Math.abs((turnover as number) - (wantTurnover as number))).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(wantTurnover as number)),
      );
    });
  }
}
