import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { maxWindowMs, windowStart, type Interval } from '../domain/interval.ts';
import type { Tick } from '../domain/tick.ts';
import { foldTick, openCandle } from './candle.ts';

/** Open windows of one symbol at one interval, by window start. */
type OpenWindows = Map<number, Candle>;

/**
 * Tumbling event-time OHLCV windows at several intervals. It only folds ticks into windows and
 * remembers which candles changed; deciding whether a tick is too late is the watermark's job.
 */
export class CandleAggregator {
  private readonly windows = new Map<string, Map<Interval, OpenWindows>>();
  private changed = new Set<Candle>();

  readonly intervals: readonly Interval[];
  private readonly days: ExchangeDays;

  /** Daily windows follow each symbol's exchange time zone (New York unless told otherwise). */
  constructor(intervals: readonly Interval[], days = new ExchangeDays()) {
    this.intervals = intervals;
    this.days = days;
  }

  add(tick: Tick): void {
    const bySymbol = this.symbolWindows(tick.symbol);
    for (const interval of this.intervals) {
      const open = bySymbol.get(interval)!;
      const start = interval === '1d' ? this.days.startOf(tick.symbol, tick.ts) : windowStart(tick.ts, interval);
      let candle = open.get(start);
      if (candle) foldTick(candle, tick);
      else {
        candle = openCandle(tick, interval, start);
        open.set(start, candle);
      }
      this.changed.add(candle);
    }
  }

  /** The candles changed since the last call, each once. */
  drainChanged(): Candle[] {
    const out = [...this.changed];
    this.changed = new Set();
    return out;
  }

  /** Puts back windows saved before a restart, so that later ticks amend them instead of restarting them. */
  restore(candles: Iterable<Candle>): void {
    for (const stored of candles) {
      this.symbolWindows(stored.symbol)
        .get(stored.interval)
        ?.set(stored.start, { ...stored });
    }
  }

  /** Forgets windows that ended before `before` for the given symbols: no accepted tick can reach them. */
  evict(symbols: Iterable<string>, before: number): void {
    for (const symbol of symbols) {
      const bySymbol = this.windows.get(symbol);
      if (!bySymbol) continue;
      for (const [interval, open] of bySymbol) {
        const size = maxWindowMs(interval);
        for (const start of open.keys()) if (start + size <= before) open.delete(start);
      }
    }
  }

  openWindowCount(): number {
    let n = 0;
    for (const bySymbol of this.windows.values()) for (const open of bySymbol.values()) n += open.size;
    return n;
  }

  private symbolWindows(symbol: string): Map<Interval, OpenWindows> {
    let bySymbol = this.windows.get(symbol);
    if (!bySymbol) {
      bySymbol = new Map(this.intervals.map((interval) => [interval, new Map()]));
      this.windows.set(symbol, bySymbol);
    }
    return bySymbol;
  }
}
