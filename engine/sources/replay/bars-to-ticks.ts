import type { Tick } from '../../domain/tick.ts';

export interface Bar {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Four trades that rebuild a bar exactly: open first, close last, high and low between them in the
 * order a trader would expect (low first on an up bar), all inside the bar's own window, and the
 * bar's volume split between them without rounding loss.
 */
export function barToTicks(symbol: string, bar: Bar, barMs: number): Tick[] {
  const [second, third] = bar.close >= bar.open ? [bar.low, bar.high] : [bar.high, bar.low];
  const prices = [bar.open, second, third, bar.close];
  const offsets = [0, Math.floor(barMs / 4), Math.floor(barMs / 2), Math.max(0, barMs - 1)];
  const share = Math.floor(bar.volume / 4);
  return prices.map((price, i) => ({
    symbol,
    ts: bar.start + offsets[i]!,
    price,
    volume: i === 3 ? bar.volume - share * 3 : share,
    source: 'replay' as const,
  }));
}

/** A bar with no trade (yfinance writes pre- and post-market gaps as zeros) carries nothing to replay. */
export function isEmptyBar(bar: Bar): boolean {
  return !(bar.open > 0 && bar.high > 0 && bar.low > 0 && bar.close > 0);
}
