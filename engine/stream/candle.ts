import type { Candle } from '../domain/candle.ts';
import type { Interval } from '../domain/interval.ts';
import type { Tick } from '../domain/tick.ts';

/** The candle made by a single tick. */
export function openCandle(tick: Tick, interval: Interval, start: number): Candle {
  return {
    symbol: tick.symbol,
    interval,
    start,
    open: tick.price,
    high: tick.price,
    low: tick.price,
    close: tick.price,
    volume: tick.volume,
    turnover: tick.price * tick.volume,
    trades: 1,
    buyVolume: tick.side === 'buy' ? tick.volume : 0,
    sellVolume: tick.side === 'sell' ? tick.volume : 0,
    openTs: tick.ts,
    closeTs: tick.ts,
  };
}

/**
 * Folds one tick into its candle, in place (the hot path allocates nothing). Order is event time;
 * between equal timestamps the earlier arrival opens and the later one closes, which is the same
 * order a batch recomputation gets from (ts, arrival sequence).
 */
export function foldTick(candle: Candle, tick: Tick): void {
  const { price, volume } = tick;
  if (price > candle.high) candle.high = price;
  if (price < candle.low) candle.low = price;
  if (tick.ts < candle.openTs) {
    candle.open = price;
    candle.openTs = tick.ts;
  }
  if (tick.ts >= candle.closeTs) {
    candle.close = price;
    candle.closeTs = tick.ts;
  }
  candle.volume += volume;
  candle.turnover += price * volume;
  candle.trades += 1;
  if (tick.side === 'buy') candle.buyVolume += volume;
  else if (tick.side === 'sell') candle.sellVolume += volume;
}

/**
 * The candle of a coarser window made of the finer candles inside it (any order). Open and close
 * follow event time, as for ticks, so a live minute closes a window that history opened.
 */
export function rollUp(parts: readonly Candle[], interval: Interval, start: number): Candle | undefined {
  if (parts.length === 0) return undefined;
  const candle: Candle = { ...parts[0]!, interval, start };
  for (const part of parts.slice(1)) {
    if (part.high > candle.high) candle.high = part.high;
    if (part.low < candle.low) candle.low = part.low;
    if (part.openTs < candle.openTs) {
      candle.open = part.open;
      candle.openTs = part.openTs;
    }
    if (part.closeTs >= candle.closeTs) {
      candle.close = part.close;
      candle.closeTs = part.closeTs;
    }
    candle.volume += part.volume;
    candle.turnover += part.turnover;
    candle.trades += part.trades;
    candle.buyVolume += part.buyVolume;
    candle.sellVolume += part.sellVolume;
  }
  return candle;
}
