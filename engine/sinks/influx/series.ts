import { vwap, type Candle } from '../../domain/candle.ts';
import type { Interval } from '../../domain/interval.ts';
import type { Tick } from '../../domain/tick.ts';
import { escapeTag, formatFieldValue, LineProtocolError } from './line-protocol.ts';

/** The seed system's measurement name, kept so that its Grafana queries still find the prices. */
export const TICK_MEASUREMENT = 'stock-price-v1';

export function candleMeasurement(interval: Interval): string {
  return `candles-${interval}`;
}

/**
 * Volume is always a float: InfluxDB fixes a field's type at its first write in a shard, and a
 * fractional volume after whole ones would otherwise be refused.
 *
 * Written by hand rather than through encodePoint: this runs once per tick inside the engine's
 * commit callback, and the measurement and field names need no escaping.
 */
export function tickLine(tick: Tick): string {
  const side = tick.side === undefined ? '' : `,side=${formatFieldValue(tick.side)}`;
  return `${TICK_MEASUREMENT}${symbolTag(tick.symbol)} price=${formatFieldValue(tick.price)},volume=${formatFieldValue(tick.volume)}${side} ${timestamp(tick.ts)}`;
}

/**
 * A candle is written at its window's start each time it changes; InfluxDB keeps the last write of a
 * (measurement, tags, time), so the stored point converges on the final candle.
 */
export function candleLine(candle: Candle): string {
  const f = formatFieldValue;
  return (
    `${candleMeasurement(candle.interval)}${symbolTag(candle.symbol)} open=${f(candle.open)},high=${f(candle.high)},` +
    `low=${f(candle.low)},close=${f(candle.close)},volume=${f(candle.volume)},vwap=${f(vwap(candle))},` +
    `trades=${f({ int: candle.trades })} ${timestamp(candle.start)}`
  );
}

/** Escaped once per symbol: a market has few symbols and many ticks. */
const symbolTags = new Map<string, string>();

function symbolTag(symbol: string): string {
  let tag = symbolTags.get(symbol);
  if (tag === undefined) {
    tag = `,symbol=${escapeTag(symbol)}`;
    if (symbolTags.size >= 10_000) symbolTags.clear();
    symbolTags.set(symbol, tag);
  }
  return tag;
}

function timestamp(ts: number): number {
  if (!Number.isSafeInteger(ts)) throw new LineProtocolError(`${ts} is not a millisecond timestamp`);
  return ts;
}
