import type { Candle } from '../domain/candle.ts';
import type { Tick } from '../domain/tick.ts';
import type { MarketStore } from '../store/market-store.ts';

/** What the watchlist shows of a symbol: its last trade, its day so far, and a sparkline. */
export interface Quote {
  price: number;
  ts: number;
  dayOpen: number | null;
  dayVolume: number;
  /** Closes of the latest one-minute candles, oldest first. */
  spark: number[];
}

const SPARK_POINTS = 30;

/**
 * Keeps a quote per symbol from committed batches, so that the watchlist never asks SQLite on the
 * hot path; it reads the store once per symbol to start from history.
 */
export class QuoteBoard {
  private readonly quotes = new Map<string, Quote>();
  private readonly sparkStarts = new Map<string, number[]>();
  /** The start of the day each quote's open and volume are of. */
  private readonly dayStarts = new Map<string, number>();
  private readonly store: MarketStore;

  constructor(store: MarketStore) {
    this.store = store;
  }

  get(symbol: string): Quote | null {
    if (!this.quotes.has(symbol)) this.load(symbol);
    return this.quotes.get(symbol) ?? null;
  }

  apply(ticks: readonly Tick[], candles: readonly Candle[]): void {
    for (const tick of ticks) {
      const quote = this.quotes.get(tick.symbol);
      if (quote) {
        if (tick.ts >= quote.ts) Object.assign(quote, { price: tick.price, ts: tick.ts });
      } else this.load(tick.symbol, tick);
    }
    for (const candle of candles) {
      const quote = this.quotes.get(candle.symbol);
      if (!quote) continue;
      if (candle.interval === '1d') {
        // A history merge re-derives older days too, in no particular order: the newest day wins.
        if (candle.start < (this.dayStarts.get(candle.symbol) ?? -Infinity)) continue;
        this.dayStarts.set(candle.symbol, candle.start);
        quote.dayOpen = candle.open;
        quote.dayVolume = candle.volume;
      } else if (candle.interval === '1m') this.addSparkPoint(candle, quote);
    }
  }

  private addSparkPoint(candle: Candle, quote: Quote): void {
    const starts = this.sparkStarts.get(candle.symbol)!;
    const at = starts.indexOf(candle.start);
    if (at >= 0) quote.spark[at] = candle.close;
    else if (starts.length === 0 || candle.start > starts.at(-1)!) {
      starts.push(candle.start);
      quote.spark.push(candle.close);
      if (starts.length > SPARK_POINTS) {
        starts.shift();
        quote.spark.shift();
      }
    }
  }

  private load(symbol: string, tick?: Tick): void {
    const day = this.store.candles({ symbol, interval: '1d', limit: 1 })[0];
    const minutes = this.store.candles({ symbol, interval: '1m', limit: SPARK_POINTS });
    const last = minutes.at(-1);
    if (!tick && !last) return;
    this.sparkStarts.set(
      symbol,
      minutes.map((c) => c.start),
    );
    if (day) this.dayStarts.set(symbol, day.start);
    this.quotes.set(symbol, {
      price: tick?.price ?? last!.close,
      ts: tick?.ts ?? last!.closeTs,
      dayOpen: day?.open ?? null,
      dayVolume: day?.volume ?? 0,
      spark: minutes.map((c) => c.close),
    });
  }
}
