import type { Candle } from '../../engine/domain/candle.ts';

const MINUTE = 60_000;

/** The prices and volume a test chooses for a stored one-minute candle. */
export interface MinuteBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * A one-minute candle as a backfill stores it: turnover at the close, the volume split evenly
 * between buyers and sellers, and event times spanning the minute.
 */
export function minuteCandle(symbol: string, start: number, bar: MinuteBar, trades = 10): Candle {
  return {
    symbol,
    interval: '1m',
    start,
    ...bar,
    turnover: bar.volume * bar.close,
    trades,
    buyVolume: bar.volume / 2,
    sellVolume: bar.volume / 2,
    openTs: start,
    closeTs: start + MINUTE - 1,
  };
}
