import type { Candle } from '../domain/candle.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * Candles from a history download. They only fill windows that hold no candle yet: a candle the
 * engine built from stored ticks keeps its window, so recomputing candles from the ticks table
 * still reproduces every candle that has ticks behind it. Backfilled candles have `trades = 0`.
 *
 * Nor do they fill a window that lies between two ticks of one live run of the feed: the later
 * tick carries the volume traded since the earlier one (the feed turns cumulative volume into
 * per-tick volume), so after a break in the polls (a 429 backoff, the laptop asleep, a pause) it
 * holds what traded in the empty minutes between them, and history there would count it again.
 * Between the last tick of one run and the first of the next, nobody watched: those windows are
 * history's. `markLiveRun` records where each run began.
 */
export class BackfillCandles {
  private readonly fill;
  private readonly mark;
  private readonly volume;
  private readonly flushCandles: () => void;

  /** `flushCandles` writes the candles waiting behind their ticks (MarketStore): both ends here read them. */
  constructor(db: SqliteDatabase, flushCandles: () => void = () => {}) {
    this.flushCandles = flushCandles;
    const insert = db.prepare(`
      INSERT INTO candles (symbol, interval, start, open, high, low, close, volume, turnover, trades,
                           buy_volume, sell_volume, open_ts, close_ts)
      VALUES (@symbol, @interval, @start, @open, @high, @low, @close, @volume, @turnover, @trades,
              @buyVolume, @sellVolume, @openTs, @closeTs)
      ON CONFLICT (symbol, interval, start) DO NOTHING`);
    // Two scalar subqueries: one min() and one max() in a single SELECT would scan the symbol's ticks.
    const tickSpan = db.prepare(`SELECT
        (SELECT min(ts) FROM ticks WHERE symbol = @symbol) AS first,
        (SELECT max(ts) FROM ticks WHERE symbol = @symbol) AS last`);
    const around = db.prepare(`SELECT
        (SELECT max(ts) FROM ticks WHERE symbol = @symbol AND ts < @start) AS prev,
        (SELECT min(ts) FROM ticks WHERE symbol = @symbol AND ts >= @start) AS next`);
    const runBegan = db
      .prepare('SELECT 1 FROM live_runs WHERE symbol = ? AND after_ts >= ? AND after_ts < ? LIMIT 1')
      .pluck();
    /**
     * Whether a window starting at `start` lies between two ticks of one run: more than a minute
     * apart (only those can hold a whole empty window between them), with no run beginning between.
     * Three index probes per candle, and none outside the symbol's ticks: a scan of the ticks
     * between the download's ends read every tick of the symbol for years of daily bars.
     */
    const liveOwned = (symbol: string): ((start: number) => boolean) => {
      const span = tickSpan.get({ symbol }) as { first: number | null; last: number | null };
      return (start) => {
        if (span.first === null || span.last === null || start <= span.first || start > span.last) return false;
        const { prev, next } = around.get({ symbol, start }) as { prev: number; next: number };
        return next - prev > 60_000 && runBegan.get(symbol, prev, next) === undefined;
      };
    };
    this.fill = db.transaction((candles: readonly Candle[]) => {
      const bySymbol = new Map<string, Candle[]>();
      for (const c of candles) {
        const own = bySymbol.get(c.symbol);
        if (own) own.push(c);
        else bySymbol.set(c.symbol, [c]);
      }
      const filled: Candle[] = [];
      for (const [symbol, own] of bySymbol) {
        const owned = liveOwned(symbol);
        for (const c of own) if (!owned(c.start) && insert.run(c).changes > 0) filled.push(c);
      }
      return filled;
    });
    this.volume = db
      .prepare("SELECT total(volume) FROM candles WHERE symbol = ? AND interval = '1m' AND start >= ? AND start < ?")
      .pluck();
    this.mark = db.prepare(
      'INSERT OR IGNORE INTO live_runs (symbol, after_ts) SELECT symbol, max(ts) FROM ticks WHERE symbol = ? GROUP BY symbol',
    );
  }

  /** Writes the candles whose window is still empty and not the live feed's; returns those it wrote. */
  fillMissing(candles: readonly Candle[]): Candle[] {
    this.flushCandles();
    return this.fill(candles);
  }

  /** The volume of the symbol's stored one-minute candles in [from, to). */
  minuteVolume(symbol: string, from: number, to: number): number {
    this.flushCandles();
    return this.volume.get(symbol, from, to) as number;
  }

  /**
   * A live run of the feed begins for the symbol (before its first tick): the ticks stored so far
   * belong to earlier runs, so the time after the newest of them is history's until this run's first tick.
   */
  markLiveRun(symbol: string): void {
    this.mark.run(symbol);
  }
}
