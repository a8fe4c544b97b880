import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { INTERVAL_MS, maxWindowMs, windowStart, type Interval } from '../domain/interval.ts';
import type { Tick } from '../domain/tick.ts';
import { foldTick, openCandle } from './candle.ts';

/** Open windows of one symbol at one interval, by window start, and the one the last tick hit. */
interface IntervalWindows {
  interval: Interval;
  open: Map<number, Candle>;
  current: Candle | undefined;
  /** Where `current`'s window ends: most ticks land in it, so the map is skipped. */
  currentEnd: number;
  /** The drain in which `current` was last put among the changed: once per drain is enough. */
  currentChangedIn: number;
}

/**
 * Tumbling event-time OHLCV windows at several intervals. It only folds ticks into windows and
 * remembers which candles changed; deciding whether a tick is too late is the watermark's job.
 */
export class CandleAggregator {
  private readonly windows = new Map<string, IntervalWindows[]>();
  private changed = new Set<Candle>();
  /** How many times the changed candles were drained: tells whether `current` is among them. */
  private drains = 0;

  readonly intervals: readonly Interval[];
  private readonly days: ExchangeDays;

  /** Daily windows follow each symbol's exchange time zone (New York unless told otherwise). */
  constructor(intervals: readonly Interval[], days = new ExchangeDays()) {
    this.intervals = intervals;
    this.days = days;
  }

  add(tick: Tick): void {
    for (const slot of this.symbolWindows(tick.symbol)) {
      let candle = slot.current;
      if (candle && tick.ts >= candle.start && tick.ts < slot.currentEnd) {
        foldTick(candle, tick);
        // Most ticks fold into the window the last one hit: a flag rather than a Set lookup each.
        if (slot.currentChangedIn === this.drains) continue;
      } else {
        const [start, end] = this.boundsOf(tick.symbol, tick.ts, slot.interval);
        candle = slot.open.get(start);
        if (candle) foldTick(candle, tick);
        else {
          candle = openCandle(tick, slot.interval, start);
          slot.open.set(start, candle);
        }
        slot.current = candle;
        slot.currentEnd = end;
      }
      slot.currentChangedIn = this.drains;
      this.changed.add(candle);
    }
  }

  /** [start, end) of the symbol's window of `interval` that holds `ts`. */
  boundsOf(symbol: string, ts: number, interval: Interval): [start: number, end: number] {
    if (interval === '1d') return this.days.boundsOf(symbol, ts);
    const start = windowStart(ts, interval);
    return [start, start + INTERVAL_MS[interval]];
  }

  /** The candles changed since the last call, each once. */
  drainChanged(): Candle[] {
    const out = [...this.changed];
    this.changed = new Set();
    this.drains++;
    return out;
  }

  /** Puts back windows saved before a restart, so that later ticks amend them instead of restarting them. */
  restore(candles: Iterable<Candle>): void {
    for (const stored of candles) {
      const slot = this.symbolWindows(stored.symbol).find((w) => w.interval === stored.interval);
      if (!slot) continue;
      slot.open.set(stored.start, { ...stored });
      if (slot.current?.start === stored.start) slot.current = undefined;
    }
  }

  /**
   * The symbol's windows of `interval` were cut again (its time zone changed): the open ones are
   * dropped and `candles` put back in their place.
   */
  replace(symbol: string, interval: Interval, candles: Iterable<Candle>): void {
    const slot = this.symbolWindows(symbol).find((w) => w.interval === interval);
    if (!slot) return;
    slot.open.clear();
    slot.current = undefined;
    this.restore(candles);
  }

  /** Forgets windows that ended before `before` for the given symbols: no accepted tick can reach them. */
  evict(symbols: Iterable<string>, before: number): void {
    for (const symbol of symbols) {
      for (const slot of this.windows.get(symbol) ?? []) {
        const size = maxWindowMs(slot.interval);
        for (const start of slot.open.keys()) if (start + size <= before) slot.open.delete(start);
        if (slot.current && !slot.open.has(slot.current.start)) slot.current = undefined;
      }
    }
  }

  openWindowCount(): number {
    let n = 0;
    for (const slots of this.windows.values()) for (const slot of slots) n += slot.open.size;
    return n;
  }

  private symbolWindows(symbol: string): IntervalWindows[] {
    let slots = this.windows.get(symbol);
    if (!slots) {
      slots = this.intervals.map((interval) => ({
        interval,
        open: new Map(),
        current: undefined,
        currentEnd: 0,
        currentChangedIn: -1,
      }));
      this.windows.set(symbol, slots);
    }
    return slots;
  }
}
