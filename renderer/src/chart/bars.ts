import type { CandlestickData, Time, UTCTimestamp } from 'lightweight-charts';
import type { CommandOutput } from '../../../engine/api/contract.ts';
import { firstIndexNotBefore } from '../../../engine/base/sorted.ts';
import type { Candle } from '../../../engine/domain/candle.ts';

/** What a panel keeps of a candle: what it draws, shows in the legend and feeds the indicators. */
export type Bar = Pick<
  Candle,
  'symbol' | 'interval' | 'start' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'turnover'
>;
export type History = CommandOutput<'candles.history'>;

export const toTime = (ms: number) => (ms / 1000) as UTCTimestamp;

export const toBar = (c: Bar): CandlestickData<Time> => ({
  time: toTime(c.start),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});

/** The bar at index i of a history answer. */
export const historyBar = (h: History, i: number): Bar => ({
  symbol: h.symbol,
  interval: h.interval,
  start: h.start[i]!,
  open: h.open[i]!,
  high: h.high[i]!,
  low: h.low[i]!,
  close: h.close[i]!,
  volume: h.volume[i]!,
  turnover: h.turnover[i]!,
});

/** The history's bars for the candlestick series, without building a Bar object per candle. */
export function historyCandlesticks(h: History): CandlestickData<Time>[] {
  const n = h.start.length;
  const bars = new Array<CandlestickData<Time>>(n);
  for (let i = 0; i < n; i++)
    bars[i] = { time: toTime(h.start[i]!), open: h.open[i]!, high: h.high[i]!, low: h.low[i]!, close: h.close[i]! };
  return bars;
}

/** An older page joined in front of the history loaded so far. */
export function prependColumns(older: History, newer: History): History {
  const join = (a: Float64Array<ArrayBuffer>, b: Float64Array<ArrayBuffer>) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    symbol: newer.symbol,
    interval: newer.interval,
    start: join(older.start, newer.start),
    open: join(older.open, newer.open),
    high: join(older.high, newer.high),
    low: join(older.low, newer.low),
    close: join(older.close, newer.close),
    volume: join(older.volume, newer.volume),
    turnover: join(older.turnover, newer.turnover),
  };
}

/** Index of `start` in the (ascending) start column, or -1. */
export function indexOf(starts: Float64Array, start: number): number {
  const at = firstIndexNotBefore(starts.length, (i) => starts[i]! < start);
  return starts[at] === start ? at : -1;
}
