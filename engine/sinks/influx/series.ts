import { vwap, type Candle } from '../../domain/candle.ts';
import type { Interval } from '../../domain/interval.ts';
import type { Tick } from '../../domain/tick.ts';
import { encodePoint } from './line-protocol.ts';

/** The seed system's measurement name, kept so that its Grafana queries still find the prices. */
export const TICK_MEASUREMENT = 'stock-price-v1';

export function candleMeasurement(interval: Interval): string {
  return `candles-${interval}`;
}

/**
 * Volume is always a float: InfluxDB fixes a field's type at its first write in a shard, and a
 * fractional volume after whole ones would otherwise be refused.
 */
export function tickLine(tick: Tick): string {
  return encodePoint({
    measurement: TICK_MEASUREMENT,
    tags: { symbol: tick.symbol },
    fields: { price: tick.price, volume: tick.volume, side: tick.side },
    ts: tick.ts,
  });
}

/**
 * A candle is written at its window's start each time it changes; InfluxDB keeps the last write of a
 * (measurement, tags, time), so the stored point converges on the final candle.
 */
export function candleLine(candle: Candle): string {
  return encodePoint({
    measurement: candleMeasurement(candle.interval),
    tags: { symbol: candle.symbol },
    fields: {
      open: candle.open,
      high: candle.high,
      low: candle.low,
      close: candle.close,
      volume: candle.volume,
      vwap: vwap(candle),
      trades: { int: candle.trades },
    },
    ts: candle.start,
  });
}
