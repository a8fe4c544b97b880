import { z } from 'zod';
import type { Candle } from '../../domain/candle.ts';
import { ExchangeDays } from '../../domain/exchange-day.ts';
import { INTERVAL_MS, windowStart, type Interval } from '../../domain/interval.ts';
import type { BackfillCandleStore } from './history-stores.ts';
import type { Bar } from '../replay/bars-to-ticks.ts';
import type { YahooClient } from './yahoo-client.ts';

/** The bar sizes asked of Yahoo's chart(): fine for recent days, coarser further back. */
export type BarInterval = '1m' | '5m' | '1d';
const BAR_MS: Record<BarInterval, number> = { '1m': 60_000, '5m': 300_000, '1d': 86_400_000 };

export interface BackfillRange {
  interval: BarInterval;
  from: number;
  to: number;
}

const DAY = 86_400_000;

/**
 * Where the windows a backfill merges begin: every window with ticks from here to the stitch is
 * re-derived, not only those overlapping what this backfill wrote, so minutes an interrupted
 * earlier backfill stored (killed before its merge) are merged now. Five days: a day window
 * starting here lies whole within the one-minute bars' seven days.
 */
export function mergeHorizon(cutoff: number): number {
  return cutoff - 5 * DAY;
}

/**
 * What Yahoo serves: one-minute bars for the last 7 days, five-minute bars for the last 60, daily
 * bars for years. Newest first, so the chart's recent past appears soonest.
 */
export function planBackfill(cutoff: number, years = 5): BackfillRange[] {
  // Range edges on whole hours, so no hour candle is built half from one range and half from the other.
  const minuteFrom = windowStart(cutoff - 7 * DAY, '1h');
  return [
    { interval: '1m', from: minuteFrom, to: cutoff },
    { interval: '5m', from: windowStart(cutoff - 59 * DAY, '1h'), to: minuteFrom },
    { interval: '1d', from: cutoff - years * 365 * DAY, to: cutoff },
  ];
}

const price = z.number().finite().positive();
/** Yahoo leaves a bar's fields null where nothing traded; those bars are skipped. */
const ChartRowSchema = z.object({
  date: z.union([z.date().transform((d) => d.getTime()), z.number()]),
  open: price,
  high: price,
  low: price,
  close: price,
  volume: z.number().finite().nonnegative().nullish(),
});

/**
 * The bars of a chart() answer that begin within the asked period [from, to). Yahoo adds rows
 * outside it (a zero-volume row at the last trade after the close, the day in progress): those
 * are no bars of the period, and one after the cutoff would pose as a finished window.
 */
const ChartMetaSchema = z.object({ meta: z.object({ exchangeTimezoneName: z.string() }) });

/** The exchange time zone a chart() answer's meta names, if it names one. */
export function chartTimeZone(result: unknown): string | undefined {
  const parsed = ChartMetaSchema.safeParse(result);
  return parsed.success ? parsed.data.meta.exchangeTimezoneName : undefined;
}

export function barsFromChart(result: unknown, period?: { from: number; to: number }): Bar[] {
  const rows = (result as { quotes?: unknown[] } | null)?.quotes ?? [];
  const bars: Bar[] = [];
  for (const row of rows) {
    const parsed = ChartRowSchema.safeParse(row);
    if (!parsed.success) continue;
    const { date, open, high, low, close, volume } = parsed.data;
    if (period && (date < period.from || date >= period.to)) continue;
    bars.push({ start: date, open, high, low, close, volume: volume ?? 0 });
  }
  return bars.sort((a, b) => a.start - b.start);
}

/**
 * Candles of every engine interval the bars can build whole: intraday bars fill the intervals they
 * divide (1m bars: 1m, 5m, 15m, 1h), daily bars fill the exchange day. Only windows that end at or
 * before `cutoff` are built; from the cutoff on, the live feed owns the windows.
 */
export function barsToCandles(
  symbol: string,
  bars: readonly Bar[],
  barInterval: BarInterval,
  intervals: readonly Interval[],
  cutoff: number,
  days: ExchangeDays,
): Candle[] {
  const candles: Candle[] = [];
  const barMs = BAR_MS[barInterval];
  const targets: Array<{ interval: Interval; bounds: (ts: number) => [number, number] }> = [];
  if (barInterval === '1d') {
    if (intervals.includes('1d')) targets.push({ interval: '1d', bounds: (ts) => days.boundsOf(symbol, ts) });
  } else {
    for (const interval of intervals) {
      const size = INTERVAL_MS[interval];
      if (interval === '1d' || size < barMs || size % barMs !== 0) continue;
      targets.push({ interval, bounds: (ts) => [windowStart(ts, interval), windowStart(ts, interval) + size] });
    }
  }
  for (const { interval, bounds } of targets) {
    let current: Candle | undefined;
    let currentEnd = 0;
    for (const bar of bars) {
      const [start, end] = bounds(bar.start);
      if (end > cutoff) continue;
      if (current && current.start === start) {
        current.high = Math.max(current.high, bar.high);
        current.low = Math.min(current.low, bar.low);
        current.close = bar.close;
        current.closeTs = bar.start;
        current.volume += bar.volume;
        current.turnover += typicalPrice(bar) * bar.volume;
        continue;
      }
      if (current) candles.push(current);
      current = {
        symbol,
        interval,
        start,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
        turnover: typicalPrice(bar) * bar.volume,
        trades: 0,
        buyVolume: 0,
        sellVolume: 0,
        openTs: bar.start,
        closeTs: bar.start,
      };
      currentEnd = end;
    }
    if (current && currentEnd <= cutoff) candles.push(current);
  }
  return candles;
}

/** A bar does not say at which prices its volume traded: (H+L+C)/3 is the usual estimate for VWAP. */
function typicalPrice(bar: Bar): number {
  return (bar.high + bar.low + bar.close) / 3;
}

export interface BackfillProgress {
  symbol: string;
  done: number;
  total: number;
  candles: number;
}

export interface BackfillOptions {
  cutoff: number;
  intervals: readonly Interval[];
  ranges?: readonly BackfillRange[];
  days?: ExchangeDays;
  /** The chart's meta told the exchange time zone: called before its bars become candles. */
  onTimeZone?: (symbol: string, timeZone: string) => void;
  onProgress?: (progress: BackfillProgress) => void;
  /** Checked before each range: true once the work should end (the feed is stopping). */
  stopped?: () => boolean;
}

export interface BackfillResult {
  candles: number;
  /** The first minute this backfill stored, if any: where the gap it filled begins. */
  gapFrom: number | undefined;
  failed: Array<{ range: BackfillRange; error: string }>;
}

/** Downloads a symbol's history range by range and fills the empty candle windows before the cutoff. */
export async function backfillSymbol(
  client: YahooClient,
  store: BackfillCandleStore,
  symbol: string,
  options: BackfillOptions,
): Promise<BackfillResult> {
  const ranges = options.ranges ?? planBackfill(options.cutoff);
  const days = options.days ?? new ExchangeDays();
  const failed: Array<{ range: BackfillRange; error: string }> = [];
  let written = 0;
  let gapFrom: number | undefined;
  let done = 0;
  for (const range of ranges) {
    if (options.stopped?.()) break;
    try {
      const result: unknown = await client.chart(
        symbol,
        {
          period1: new Date(range.from),
          period2: new Date(range.to),
          interval: range.interval,
          // Live quotes carry the regular session only; intraday history matches them.
          ...(range.interval === '1d' ? {} : { includePrePost: false }),
        },
        { validateResult: false },
      );
      const timeZone = chartTimeZone(result);
      if (timeZone) options.onTimeZone?.(symbol, timeZone);
      const bars = barsFromChart(result, range);
      const candles = barsToCandles(symbol, bars, range.interval, options.intervals, options.cutoff, days);
      const filled = store.fillMissing(candles);
      written += filled.length;
      for (const c of filled) if (c.interval === '1m') gapFrom = Math.min(gapFrom ?? c.start, c.start);
    } catch (error) {
      failed.push({ range, error: error instanceof Error ? error.message : String(error) });
    }
    options.onProgress?.({ symbol, done: ++done, total: ranges.length, candles: written });
  }
  return { candles: written, gapFrom, failed };
}
